//! Charts as vector graphics: bars, lines and pareto (bars with a cumulative line on a
//! secondary 0–100 % axis), with gridlines, compact axis labels and thinned, rotated
//! category labels when there are many.

use super::*;

impl Layout {
    pub(super) fn chart(&mut self, c: &Chart) {
        // Long category labels set at 45° (customer names) get room of their own below the
        // plot instead of taking it from the bars.
        let long_labels = {
            let n = c.series.iter().map(|s| s.points.len()).max().unwrap_or(0).max(1);
            let widest = c
                .series
                .first()
                .map(|s| {
                    s.points.iter().map(|p| self.width(&p.0, false, 7.0).min(70.0)).fold(0.0f32, f32::max)
                })
                .unwrap_or(0.0);
            let rotated = widest > (WIDTH - 60.0) / n as f32 - 3.0;
            // Month labels ("nov 2024") fit the usual room; names take what they need.
            if rotated && widest > 45.0 {
                widest * 0.71 + 11.0 - 13.0
            } else {
                0.0
            }
        };
        let height = CHART_H + long_labels;
        self.ensure(height);
        let top = self.y;
        let title = self.ellipsize(&c.title, true, 10.0, WIDTH);
        self.text(MARGIN_X, top + 10.0, 10.0, true, INK, &title, 0.0);
        let cats: Vec<&str> =
            c.series.first().map(|s| s.points.iter().map(|p| p.0.as_str()).collect()).unwrap_or_default();
        let n = c.series.iter().map(|s| s.points.len()).max().unwrap_or(0);
        let primary: Vec<&Series> = c.series.iter().filter(|s| !s.secondary_axis).collect();
        let secondary: Vec<&Series> = c.series.iter().filter(|s| s.secondary_axis).collect();
        let axis = |series: &[&Series], percent: bool| {
            let vals = series.iter().flat_map(|s| s.points.iter().map(|p| p.1));
            let (mut lo, mut hi) =
                vals.filter(|v| v.is_finite()).fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
            // A cumulative share may end a rounding error above 1.
            if percent && hi <= 1.0 + 1e-9 && lo >= 0.0 {
                hi = 1.0;
            }
            if hi - lo <= 0.0 {
                hi = lo + 1.0;
            }
            let step = nice_step((hi - lo) / 4.0);
            lo = (lo / step).floor() * step;
            hi = (hi / step).ceil() * step;
            (lo, hi, step)
        };
        let pformat = primary.first().map_or(c.format, |s| s.format);
        let (plo, phi, pstep) = axis(&primary, pformat == ValueFormat::Percent);
        let sformat = secondary.first().map_or(ValueFormat::Percent, |s| s.format);
        let sec = (!secondary.is_empty() || c.kind == ChartKind::Pareto)
            .then(|| axis(&secondary, sformat == ValueFormat::Percent));
        let fs = 7.0;
        let ticks = |lo: f64, hi: f64, step: f64| {
            let k = ((hi - lo) / step).round() as usize;
            (0..=k.min(12)).map(move |i| lo + step * i as f64).collect::<Vec<f64>>()
        };
        let plabels: Vec<(f64, String)> = ticks(plo, phi, pstep)
            .into_iter()
            .map(|v| (v, self.axis_label(v, pstep, plo.abs().max(phi.abs()), pformat)))
            .collect();
        let slabels: Vec<(f64, String)> = sec
            .map(|(lo, hi, st)| {
                ticks(lo, hi, st)
                    .into_iter()
                    .map(|v| (v, self.axis_label(v, st, lo.abs().max(hi.abs()), sformat)))
                    .collect()
            })
            .unwrap_or_default();
        let lw = plabels.iter().map(|l| self.width(&l.1, false, fs)).fold(0.0f32, f32::max);
        let rw = slabels.iter().map(|l| self.width(&l.1, false, fs)).fold(0.0f32, f32::max);
        let x0 = MARGIN_X + lw + 6.0;
        let x1 = MARGIN_X + WIDTH - if rw > 0.0 { rw + 6.0 } else { 4.0 };
        let slot = if n > 0 { (x1 - x0) / n as f32 } else { x1 - x0 };
        // Category labels: horizontal when they fit, else rotated 45° and thinned. A chart
        // whose labels are sparse (a curve over every customer labelled at each tenth) is
        // judged by the room between the labels it has.
        let max_label = 70.0;
        let labels: Vec<String> = cats.iter().map(|l| self.ellipsize(l, false, fs, max_label)).collect();
        let widest = labels.iter().map(|l| self.width(l, false, fs)).fold(0.0f32, f32::max);
        let shown: Vec<usize> = (0..labels.len()).filter(|&i| !labels[i].trim().is_empty()).collect();
        let spacing = shown.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(1).max(1);
        let rotated = widest > slot * spacing as f32 - 3.0;
        let every = if rotated { ((fs * 1.6) / slot).ceil().max(1.0) as usize } else { 1 };
        let label_h = if rotated { widest * 0.71 + fs + 4.0 } else { fs + 6.0 };
        let legend_h = if c.series.len() > 1 { 14.0 } else { 0.0 };
        let y0 = top + 20.0;
        let y1 = top + height - label_h - legend_h - 4.0;
        let ppos = |v: f64| y1 - ((v - plo) / (phi - plo)) as f32 * (y1 - y0);
        // Bands shade runs of categories under everything else, each labelled at its top.
        const BAND: [Rgb; 3] = [Rgb(226, 236, 248), Rgb(240, 244, 250), Rgb(248, 248, 248)];
        for (bi, b) in c.bands.iter().enumerate() {
            let (from, to) = (b.from.min(n.max(1)), b.to.min(n.max(1)));
            let (bx0, bx1) = (x0 + slot * (from - 1) as f32, x0 + slot * to as f32);
            self.rect(bx0, y0, bx1 - bx0, y1 - y0, Some(BAND[bi % BAND.len()]), None);
            let label = self.ellipsize(&b.label, true, fs, (bx1 - bx0 - 4.0).max(0.0));
            self.text(bx0 + 3.0, y0 + fs + 2.0, fs, true, NAVY, &label, 0.0);
        }
        for (v, text) in &plabels {
            let y = ppos(*v);
            self.hline(x0, x1, y, GRID, 0.5);
            let w = self.width(text, false, fs);
            self.text(x0 - 4.0 - w, y + fs * 0.35, fs, false, MUTED, text, 0.0);
        }
        if let Some((slo, shi, _)) = sec {
            for (v, text) in &slabels {
                let y = y1 - ((v - slo) / (shi - slo)) as f32 * (y1 - y0);
                self.text(x1 + 4.0, y + fs * 0.35, fs, false, MUTED, text, 0.0);
            }
        }
        let zero = ppos(0.0f64.clamp(plo, phi));
        let bars: Vec<&Series> = c.series.iter().filter(|s| s.kind == SeriesKind::Bar).collect();
        let group = slot * 0.72;
        for (bi, s) in bars.iter().enumerate() {
            let color =
                PALETTE[c.series.iter().position(|x| std::ptr::eq(x, *s)).unwrap_or(0) % PALETTE.len()];
            // Few categories make slim bars centred in their slots, not wide slabs.
            let bw = (group / bars.len() as f32).min(36.0);
            let group = bw * bars.len() as f32;
            let (lo, hi) = if s.secondary_axis { sec.map_or((plo, phi), |a| (a.0, a.1)) } else { (plo, phi) };
            for (i, (_, v)) in s.points.iter().enumerate() {
                let y = y1 - ((v - lo) / (hi - lo)) as f32 * (y1 - y0);
                let x = x0 + slot * i as f32 + (slot - group) / 2.0 + bw * bi as f32;
                let (top_y, h) = if y < zero { (y, zero - y) } else { (zero, y - zero) };
                if h > 0.0 && h.is_finite() {
                    self.rect(x, top_y, (bw - 0.6).max(0.3), h, Some(color), None);
                }
            }
        }
        for (si, s) in c.series.iter().enumerate() {
            if s.kind != SeriesKind::Line || s.points.is_empty() {
                continue;
            }
            let color = if c.kind == ChartKind::Pareto { ORANGE } else { PALETTE[si % PALETTE.len()] };
            let (lo, hi) = if s.secondary_axis { sec.map_or((plo, phi), |a| (a.0, a.1)) } else { (plo, phi) };
            let pts: Vec<(f32, f32)> = s
                .points
                .iter()
                .enumerate()
                .filter(|(_, (_, v))| v.is_finite())
                .map(|(i, (_, v))| {
                    (x0 + slot * (i as f32 + 0.5), y1 - ((v - lo) / (hi - lo)) as f32 * (y1 - y0))
                })
                .collect();
            if n <= 40 {
                for &(px, py) in &pts {
                    self.rect(px - 1.5, py - 1.5, 3.0, 3.0, Some(color), None);
                }
            }
            self.push(Item::Line { points: pts, color, width: 1.4, dash: false });
        }
        // Reference lines (the 80 % of a Pareto curve), dashed, labelled at their right end.
        for r in &c.rules {
            if !(plo..=phi).contains(&r.value) {
                continue;
            }
            let y = ppos(r.value);
            self.push(Item::Line {
                points: vec![(x0, y), (x1, y)],
                color: Rgb(192, 57, 43),
                width: 0.9,
                dash: true,
            });
            let w = self.width(&r.label, true, fs);
            self.text(x1 - w - 2.0, y - 2.5, fs, true, Rgb(192, 57, 43), &r.label, 0.0);
        }
        self.hline(x0, x1, zero, MUTED, 0.7);
        for (i, l) in labels.iter().enumerate() {
            if i % every != 0 {
                continue;
            }
            let cx = x0 + slot * (i as f32 + 0.5);
            // A rotated label reaches down-left; it never crosses the left margin.
            let room = (cx + 2.0 - MARGIN_X) / std::f32::consts::FRAC_1_SQRT_2;
            let l = &if rotated { self.ellipsize(l, false, fs, room) } else { l.clone() };
            let w = self.width(l, false, fs);
            if rotated {
                // Rotated about its end, so the label's end sits under its bar.
                let d = w * std::f32::consts::FRAC_1_SQRT_2;
                self.text(cx - d + 2.0, y1 + 6.0 + d, fs, false, MUTED, l, 45.0);
            } else {
                self.text(cx - w / 2.0, y1 + 4.0 + fs, fs, false, MUTED, l, 0.0);
            }
        }
        if legend_h > 0.0 {
            let mut lx = x0;
            let ly = top + height - 8.0;
            for (si, s) in c.series.iter().enumerate() {
                let color = if c.kind == ChartKind::Pareto && s.kind == SeriesKind::Line {
                    ORANGE
                } else {
                    PALETTE[si % PALETTE.len()]
                };
                if s.kind == SeriesKind::Bar {
                    self.rect(lx, ly - 6.0, 8.0, 6.0, Some(color), None);
                } else {
                    self.hline(lx, lx + 8.0, ly - 3.0, color, 1.4);
                }
                let name = self.ellipsize(&s.name, false, fs, 150.0);
                self.text(lx + 11.0, ly, fs, false, INK, &name, 0.0);
                lx += 11.0 + self.width(&name, false, fs) + 14.0;
            }
        }
        self.y = top + height + BLOCK_GAP;
    }

    /// A compact axis label: `1,5 M`, `250 k`, `40 %` (decimal comma unless English); the
    /// unit (k, M) follows the axis' largest value `top`, so one axis never mixes units.
    fn axis_label(&self, v: f64, step: f64, top: f64, format: ValueFormat) -> String {
        let (v, step, suffix) = if format == ValueFormat::Percent {
            (v * 100.0, step * 100.0, if self.comma { "\u{a0}%" } else { "%" })
        } else {
            let big = top.max(step);
            if v.abs() < step * 1e-9 {
                return "0".into();
            }
            if big >= 1e6 {
                (v / 1e6, step / 1e6, "\u{a0}M")
            } else if big >= 1e4 {
                (v / 1e3, step / 1e3, "\u{a0}k")
            } else {
                (v, step, "")
            }
        };
        let decimals = if (step - step.round()).abs() < 1e-9 {
            0
        } else if (step * 10.0 - (step * 10.0).round()).abs() < 1e-9 {
            1
        } else {
            2
        };
        let mut s = format!("{:.*}", decimals, v);
        if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
            s.remove(0);
        }
        if self.comma {
            s = s.replace('.', ",");
        }
        s + suffix
    }
}

/// A round step (1, 2, 2.5 or 5 × 10ⁿ) near `raw`, for axis ticks.
fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

#[cfg(test)]
mod tests {
    use super::super::tests::{doc, lay, section};
    use super::*;

    #[test]
    fn charts_draw_bars_lines_and_thin_many_labels() {
        let pts: Vec<(String, f64)> =
            (0..60).map(|i| (format!("Cliente número {i}"), 100.0 / (1.0 + i as f64))).collect();
        let cum: Vec<(String, f64)> = pts
            .iter()
            .scan(0.0, |a, p| {
                *a += p.1 / 479.0;
                Some((p.0.clone(), *a))
            })
            .collect();
        let chart = Chart {
            kind: ChartKind::Pareto,
            title: "Pareto".into(),
            format: ValueFormat::Money,
            series: vec![
                Series {
                    name: "Ventas".into(),
                    kind: SeriesKind::Bar,
                    secondary_axis: false,
                    format: ValueFormat::Money,
                    points: pts,
                },
                Series {
                    name: "Acumulado".into(),
                    kind: SeriesKind::Line,
                    secondary_axis: true,
                    format: ValueFormat::Percent,
                    points: cum,
                },
            ],
            bands: vec![],
            rules: vec![],
        };
        let pages = layout(&doc(vec![section(false, vec![Block::Chart(chart)])]), "", "es");
        let items = &pages[0].items;
        let bars =
            items.iter().filter(|i| matches!(i, Item::Rect { fill: Some(c), .. } if *c == BLUE)).count();
        assert!(bars >= 60, "{bars}");
        assert!(
            items.iter().any(|i| matches!(i, Item::Line { points, .. } if points.len() == 60)),
            "cumulative line"
        );
        let texts: Vec<&str> = pages[0].texts().collect();
        assert!(texts.contains(&"100\u{a0}%"), "secondary axis to 100 %: {texts:?}");
        let labels = texts.iter().filter(|t| t.starts_with("Cliente")).count();
        assert!((10..60).contains(&labels), "labels thinned: {labels}");
        for item in items {
            if let Item::Text { x, .. } = item {
                assert!(*x >= MARGIN_X - 0.01, "text starts left of the margin at {x}");
            }
        }
        assert!(items.iter().any(|i| matches!(i, Item::Text { angle, .. } if *angle == 45.0)));
    }

    #[test]
    fn axis_steps_and_labels() {
        let cases: &[(f64, f64)] =
            &[(0.9, 1.0), (1.2, 2.0), (2.2, 2.5), (3.0, 5.0), (7.0, 10.0), (1234.0, 2000.0), (0.0, 1.0)];
        for &(raw, want) in cases {
            assert!((nice_step(raw) - want).abs() < 1e-9, "{raw}");
        }
        let es = lay();
        assert_eq!(es.axis_label(250_000.0, 50_000.0, 250_000.0, ValueFormat::Money), "250\u{a0}k");
        assert_eq!(es.axis_label(1_500_000.0, 500_000.0, 2e6, ValueFormat::Money), "1,5\u{a0}M");
        assert_eq!(es.axis_label(0.25, 0.25, 1.0, ValueFormat::Percent), "25\u{a0}%");
        assert_eq!(es.axis_label(2.5, 2.5, 10.0, ValueFormat::Number), "2,5");
        let en = Layout { comma: false, ..lay() };
        assert_eq!(en.axis_label(1_500_000.0, 500_000.0, 2e6, ValueFormat::Money), "1.5\u{a0}M");
        assert_eq!(en.axis_label(0.5, 0.25, 1.0, ValueFormat::Percent), "50%");
        // One unit per axis, and a plain zero.
        assert_eq!(es.axis_label(500_000.0, 250_000.0, 1e6, ValueFormat::Money), "0,50\u{a0}M");
        assert_eq!(es.axis_label(0.0, 250_000.0, 1e6, ValueFormat::Money), "0");
        assert_eq!(es.axis_label(-1e6, 1e6, 3e6, ValueFormat::Money), "-1\u{a0}M");
    }
}
