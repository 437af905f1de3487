//! The templates' context: the plain serialisable structs a plan and the summary are made of.
//! Their field names are the names the templates use.

use chrono::NaiveDate;
use serde::Serialize;

use super::ContactSource;
use crate::period::Month;

/// Everything one run renders: a plan per KAM and the management summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plans {
    /// One plan per KAM with key accounts, ordered by KAM name.
    pub kams: Vec<KamPlan>,
    pub summary: Summary,
    /// The monthly targets this run publishes, by key account: the months elapsed it showed
    /// and the months of its objectives.
    pub targets: super::TargetBook,
    /// What every plan shows of the KAMs' own entries, by account code: the month's
    /// `carried.json`.
    #[serde(skip)]
    pub carried: crate::carry::Carried,
}

/// The period a document is about, with its labels already in the plan's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodInfo {
    /// `2026-10`.
    pub period: Month,
    /// `oct 2026`.
    pub period_label: String,
    /// Last day of P: "today" for every due date.
    pub period_end: NaiveDate,
    pub window_from: Month,
    pub window_to: Month,
    /// `nov 2025 – oct 2026`.
    pub window_label: String,
    pub window_months: u32,
    /// P−1, against which new and lost key accounts are counted.
    pub prior_period: Month,
    pub prior_period_label: String,
    /// The months the objectives are for: P+1 … P+window_months.
    pub next_label: String,
    /// Whether growth against the prior window could be computed.
    pub growth_available: bool,
    /// The first month with a sales line in the books: a first purchase in it may not be the
    /// first ever.
    pub data_from: Option<Month>,
    pub currency: String,
    /// The documents' language code.
    pub lang: String,
}

/// An account named in a list (new, lost, unassigned, attention).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountRef {
    pub id: String,
    pub name: String,
    pub kam: String,
    pub sales: f64,
}

/// Allowed values of the drop-down columns, in the plan's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choices {
    /// Meeting status: pending, planned, done, postponed, cancelled.
    pub status: Vec<String>,
    /// Decision-maker influence: high, medium, low.
    pub influence: Vec<String>,
    /// Decision-maker stance: champion, favourable, neutral, critical, blocker.
    pub stance: Vec<String>,
}

/// An account that needs attention, and why (sentences).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attention {
    pub id: String,
    pub name: String,
    pub why: Vec<String>,
}

/// Which alarms an account raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Flags {
    /// Trend at or below [`FALLING_TREND`](super::FALLING_TREND).
    pub falling: bool,
    /// No purchase for more than `recency_alert_days`, or no purchase at all.
    pub stale: bool,
    /// The courtesy call fell due before the end of P.
    pub call_overdue: bool,
    /// The contacts exceeded the monthly cap in a recent month (P−2..P).
    pub over_contacted: bool,
    /// The next closer meeting was postponed, ended without agreement or was called off.
    pub setback: bool,
    /// Sales of the months elapsed are below the targets an earlier plan set for them.
    pub behind: bool,
}

/// One of this month's actions on the cover: the account, what to do (naming the step) and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// `call_overdue`, `retake`, `falling`, `stale`, `behind`, `behind_agreed`, `meeting`,
    /// `call_due` — the order the cover lists them in.
    pub kind: String,
    pub id: String,
    pub name: String,
    /// The closer step (1..=4) it is about.
    pub step: Option<u32>,
    pub date: Option<NaiveDate>,
    /// What to do, in a sentence.
    pub text: String,
}

/// A row of the agenda: one of an account's four meetings, or its courtesy call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaRow {
    pub id: String,
    pub name: String,
    /// "Reunión 2: …" or "Llamada de cortesía".
    pub what: String,
    /// 1..=4 for a meeting; `None` for the call.
    pub step: Option<u32>,
    pub date: Option<NaiveDate>,
    /// Status label.
    pub status: String,
    pub notes: Option<String>,
    /// The next meeting, or an overdue call.
    pub next: bool,
}

/// One KAM's Key Account Plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KamPlan {
    pub kam: String,
    pub email: Option<String>,
    /// The KAM directory's manager of this KAM, as a name.
    pub manager: Option<String>,
    /// The manager's address (see [`super::handover::manager_of`]); `None` when the directory
    /// gives none.
    pub manager_email: Option<String>,
    /// The default KAM that holds key accounts nobody owns.
    pub unassigned: bool,
    pub period: PeriodInfo,
    pub key_accounts: u32,
    /// Sales of the KAM's key accounts in the window.
    pub sales: f64,
    pub company_sales: f64,
    /// `sales / company_sales`.
    pub share: f64,
    pub margin: Option<f64>,
    pub margin_pct: Option<f64>,
    /// Share of company margin, when both margins are known and the company's is positive.
    pub margin_share: Option<f64>,
    /// Sum of the accounts' sales targets.
    pub target: f64,
    /// One-sentence reading of the cover figures.
    pub intro: String,
    /// The combined target in words, tied to the commercial plan.
    pub target_text: String,
    /// Key now, not key at P−1.
    pub new_key: Vec<AccountRef>,
    /// Key at P−1, not now (still owned by this KAM).
    pub lost_key: Vec<AccountRef>,
    pub attention: Vec<Attention>,
    /// This month's actions, first on the cover.
    pub actions: Vec<Action>,
    /// Every account's meetings and courtesy call.
    pub agenda: Vec<AgendaRow>,
    /// The key accounts, by rank.
    pub accounts: Vec<AccountPlan>,
    /// Contact-cap warnings of all accounts.
    pub warnings: Vec<String>,
    pub choices: Choices,
    /// Accounts of the KAM's last plan that are no longer key, with the KAM's entries, for
    /// the period they left.
    pub dropped: Vec<super::DroppedAccount>,
    /// The KAM's returned plans read this run.
    pub returned: Vec<String>,
}

/// A product line of an account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductLine {
    pub name: String,
    pub sales: f64,
    /// Share of the account's sales.
    pub share: f64,
}

/// One month of an account's sales, for the 24-month chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthPoint {
    pub month: Month,
    pub label: String,
    pub sales: f64,
}

/// One month of the account's chart: the 24 months to P with their sales, then the months of
/// the objective; `target` where a plan set one (earlier plans for months elapsed, this one
/// for the months ahead).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartPoint {
    pub month: Month,
    pub label: String,
    pub sales: Option<f64>,
    pub target: Option<f64>,
}

/// One month of an account's target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetMonth {
    pub month: Month,
    pub label: String,
    pub target: f64,
}

/// A month already elapsed: what an earlier plan asked and what the account bought.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActualVsTarget {
    pub month: Month,
    pub label: String,
    pub target: f64,
    pub actual: f64,
    /// `actual − target`.
    pub difference: f64,
    /// `actual / target`; `None` for a zero target.
    pub ratio: Option<f64>,
    /// The period whose plan set the target.
    pub set_in: Month,
}

/// The sales objective of an account for the months after P.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    /// The rule that set the target: `rate` (the reasons' growth rate), `growth` (recent
    /// growth, capped), `potential` (a share of the gap to the potential), `run_rate` (keep the
    /// current pace), `first_order` (no sales).
    pub rule: String,
    /// Target against the window's sales (`target / base − 1`); `None` without sales.
    pub rate: Option<f64>,
    /// Under rule `rate`, the reason whose per-reason rate applies; `None` for the general rate.
    pub reason: Option<String>,
    /// Sales in the window (the base).
    pub base: f64,
    /// The current pace over the same number of months: the last 3 months annualised.
    pub run_rate: f64,
    /// The pace takes out the season (a year of history was there).
    pub run_rate_seasonal: bool,
    pub target: f64,
    /// `target − base`.
    pub increase: f64,
    pub months: u32,
    /// `target / months`.
    pub per_month: f64,
    /// `base / months`.
    pub current_per_month: f64,
    /// `run_rate / months`.
    pub run_rate_per_month: f64,
    /// `per_month − run_rate_per_month`.
    pub change_per_month: f64,
    /// The account is falling: the target is not held to the current pace.
    pub falling: bool,
    /// The objective and the rule that produced it, in words.
    pub text: String,
    /// For a falling account: what recovering last year's level means.
    pub recovery_text: Option<String>,
    /// How it serves the commercial plan, in words.
    pub plan_text: String,
    /// The target by month.
    pub monthly: Vec<TargetMonth>,
    /// The monthly split follows the account's season (else it is even).
    pub seasonal: bool,
}

/// One of the closer's four meetings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meeting {
    /// 1..=4.
    pub number: u32,
    /// `decision_makers`, `competition`, `needs`, `close`.
    pub key: String,
    /// The objective, as a label.
    pub objective: String,
    /// What to achieve in it.
    pub guide: String,
    /// Date of the meeting shown: the one that achieved the step, else the latest.
    pub date: Option<NaiveDate>,
    /// Status label in the plan's language.
    pub status: String,
    /// Status key ([`MeetingStatus::key`](super::MeetingStatus::key)).
    pub status_key: String,
    /// Meeting type as recorded.
    pub kind: Option<String>,
    pub notes: Option<String>,
    /// Where the meeting shown was recorded; `None` when none was.
    pub source: Option<ContactSource>,
    /// Meetings recorded for this step.
    pub records: u32,
    /// One of its meetings achieved the step.
    pub done: bool,
    /// The next meeting to hold.
    pub next: bool,
}

/// One contact with an account, as the plan lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    pub date: Option<NaiveDate>,
    pub kind: Option<String>,
    pub notes: Option<String>,
    /// The closer step it fills (1..=4); `None` for a plain contact.
    pub step: Option<u32>,
    /// Its outcome key, for a step meeting.
    pub status_key: Option<String>,
    pub source: ContactSource,
}

/// A person in the decision-maker map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionMaker {
    pub name: String,
    pub role: Option<String>,
    /// Influence label (high, medium, low in the plan's language).
    pub influence: Option<String>,
    /// Stance label.
    pub stance: Option<String>,
    pub notes: Option<String>,
    /// `log`: suggested from a meeting's notes; `kam`: entered by the KAM.
    pub source: ContactSource,
    /// Entered or confirmed by the KAM (a suggestion is not).
    pub confirmed: bool,
}

/// The customer asked to be contacted less.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactRequest {
    pub date: NaiveDate,
    /// The note that says so, as written.
    pub notes: String,
    /// The request in a sentence.
    pub text: String,
    /// Made in P−2..P.
    pub recent: bool,
}

/// When the next courtesy call is due.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Courtesy {
    pub every_days: u32,
    /// `log` (last contact), `purchase` (last purchase) or `none`.
    pub basis: String,
    pub last_contact: Option<NaiveDate>,
    /// When the call fell or falls due: `call_every_days` after the last contact.
    pub next_due: Option<NaiveDate>,
    /// When to call: the due date, or the first day after P when it is overdue — never in the
    /// past.
    pub next_call: NaiveDate,
    /// Due on or before the end of P.
    pub overdue: bool,
    /// Days past due at the end of P.
    pub days_overdue: Option<i64>,
    pub text: String,
    /// The rule: call every n days, at most m contacts a month.
    pub rule: String,
}

/// A month where the log exceeds the contact cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapExcess {
    pub month: Month,
    pub label: String,
    pub contacts: u32,
}

/// Everything a plan shows about one key account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountPlan {
    pub rank: Option<u32>,
    pub id: String,
    pub name: String,
    pub sales: f64,
    pub prior_sales: f64,
    pub share: f64,
    pub cumulative_share: f64,
    /// Share of the KAM's key-account sales.
    pub share_of_kam: f64,
    pub abc: String,
    pub margin: Option<f64>,
    pub margin_pct: Option<f64>,
    pub growth: Option<f64>,
    /// Last 3 months against the same 3 months a year earlier, else against the 3 before.
    pub trend: Option<f64>,
    /// `year_earlier` or `previous_months`: what `trend` compares with.
    pub trend_basis: Option<String>,
    pub first_purchase: Option<NaiveDate>,
    /// "Customer since", true of the data: the first purchase's date, or "<first month of data>
    /// or earlier" when it falls in the first month the books hold.
    pub since: String,
    pub last_purchase: Option<NaiveDate>,
    pub days_since: Option<i64>,
    /// Reason keys (`volume`, …).
    pub reasons: Vec<String>,
    /// Reasons in words, comma-separated.
    pub reasons_text: String,
    /// Why it is key, one sentence per reason.
    pub explanation: Vec<String>,
    pub exposure_sales: f64,
    pub exposure_margin: Option<f64>,
    pub strategic: bool,
    pub potential: Option<f64>,
    pub segment: Option<String>,
    pub region: Option<String>,
    /// Key now and not at P−1.
    pub new: bool,
    pub top_products: Vec<ProductLine>,
    /// The account's sales come only from a monthly book: top products are "not available",
    /// not an empty table.
    pub monthly_book: bool,
    pub monthly: Vec<MonthPoint>,
    /// The 24 months to P and the months of the objective, for the chart.
    pub chart: Vec<ChartPoint>,
    /// Risk sentences: exposure, trend, recency.
    pub risks: Vec<String>,
    pub objective: Objective,
    /// Months elapsed with the targets earlier plans set for them.
    pub actual_vs_target: Vec<ActualVsTarget>,
    /// The months elapsed in a sentence (sold against asked), when there are any.
    pub actual_text: Option<String>,
    /// Behind target, for the attention list.
    pub behind_text: Option<String>,
    pub meetings: Vec<Meeting>,
    /// Number of the next meeting (1..=4); `None` when all four are done.
    pub next_meeting: Option<u32>,
    /// The next step in words (or that the cycle is complete).
    pub next_text: String,
    /// The next meeting's setback in words (postponed, no agreement, cancelled), for the
    /// attention list.
    pub setback: Option<String>,
    /// Closer meetings held up to the end of P (done, postponed or without agreement).
    pub meetings_held: u32,
    /// Contacts of any kind in the window up to the end of P.
    pub contacts: u32,
    /// The account's contacts in the window (and the KAM's planned meetings), oldest first.
    pub log: Vec<LogEntry>,
    pub courtesy: Courtesy,
    /// Recent months (P−2..P) over the contact cap.
    pub cap_excess: Vec<CapExcess>,
    pub cap_warnings: Vec<String>,
    /// The customer's latest request to be contacted less, in the window.
    pub contact_request: Option<ContactRequest>,
    /// The decision-maker map: the KAM's entries and the people the log names.
    pub decision_makers: Vec<DecisionMaker>,
    /// Said when meeting 1 is done and the map is still empty.
    pub decision_makers_note: Option<String>,
    pub flags: Flags,
    /// What the KAM owns in the section besides meetings and decision makers: extra meeting
    /// rows, history, contact log, strategy and agreed target.
    pub owned: super::KamOwned,
}

/// One ABC class in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbcRow {
    pub class: String,
    pub accounts: u32,
    pub sales: f64,
    pub share: f64,
}

/// A bar of the Pareto chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParetoPoint {
    pub label: String,
    pub sales: f64,
    pub cumulative_share: f64,
}

/// The Pareto curve over every customer with sales, largest first: x is the share of
/// customers (a label at each tenth, empty between), y the cumulative share of sales.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParetoCurve {
    pub points: Vec<CurvePoint>,
    /// The volume share that makes class A (`[classify] volume_share`), the curve's reference
    /// line, and its label ("80 %").
    pub volume_share: f64,
    pub volume_label: String,
    /// The ABC classes as runs of points (1-based, inclusive), in class order.
    pub bands: Vec<CurveBand>,
}

/// One customer on the Pareto curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurvePoint {
    /// The share of customers up to this one, written at each tenth ("10 %"); else empty.
    pub label: String,
    pub customer_share: f64,
    pub cumulative_share: f64,
}

/// A class's run of customers on the curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurveBand {
    pub label: String,
    pub from: usize,
    pub to: usize,
}

/// Concentration with its reading in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConcentrationView {
    pub pareto_accounts_share: f64,
    pub top1_share: f64,
    pub top5_share: f64,
    pub hhi: f64,
    /// `diversified`, `moderate`, `concentrated`.
    pub reading: String,
    pub reading_label: String,
    /// Label of `pareto_accounts_share` (it names `[classify] volume_share`).
    pub pareto_label: String,
    pub text: String,
}

/// A KAM's workload in the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KamRow {
    pub kam: String,
    pub email: Option<String>,
    pub unassigned: bool,
    pub key_accounts: u32,
    pub sales: f64,
    /// Share of company sales.
    pub share: f64,
    /// Closer meetings held with their key accounts in the window (done, postponed or
    /// without agreement).
    pub meetings: u32,
    /// Contacts of any kind with their key accounts in the window (meetings included).
    pub contacts: u32,
    /// Sum of their key accounts' targets.
    pub target: f64,
    /// `target / [plan] commercial_target`, when the commercial plan is given.
    pub commercial_share: Option<f64>,
    /// More key accounts than `[plan] kam_capacity`.
    pub over_capacity: bool,
}

/// The key accounts' targets inside the company's commercial plan (`[plan] commercial_target`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commercial {
    /// The company's sales target for the months after P.
    pub target: f64,
    /// Sum of the key accounts' targets.
    pub key_target: f64,
    /// `key_target / target`.
    pub coverage: f64,
    /// What the other customers must make: `target − key_target` (negative: the key accounts
    /// alone exceed the plan).
    pub gap: f64,
    /// The other customers' sales in the window.
    pub rest_sales: f64,
    /// The growth the other customers need: `gap / rest_sales − 1`; `None` without their sales.
    pub rest_growth: Option<f64>,
    pub text: String,
}

/// An account in the company-wide attention list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryAttention {
    pub kam: String,
    pub id: String,
    pub name: String,
    /// The account's sales in the window: what is at stake.
    pub sales: f64,
    /// The reasons, joined.
    pub why: String,
}

/// An account key at P−1 and not now, with the rules it no longer meets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LostAccount {
    pub id: String,
    pub name: String,
    pub kam: String,
    pub sales: f64,
    /// The rules it no longer meets, joined.
    pub why: String,
}

/// A key account with no contact recorded in `[classify] recency_alert_days`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoContact {
    pub kam: String,
    pub id: String,
    pub name: String,
    /// The last contact recorded in the window, if any.
    pub last_contact: Option<NaiveDate>,
    /// Days from it to the end of P.
    pub days: Option<i64>,
}

/// A key account in the summary's by-KAM table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryAccount {
    pub rank: Option<u32>,
    pub id: String,
    pub name: String,
    pub kam: String,
    pub sales: f64,
    pub share: f64,
    pub abc: String,
    pub reasons_text: String,
    pub new: bool,
}

/// A row of the hand-over table: who gets which files. `pdf`/`xlsx` are set by the caller
/// once the file names are known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoverRow {
    pub kam: String,
    pub email: Option<String>,
    pub key_accounts: u32,
    pub sales: f64,
    pub pdf: String,
    pub xlsx: String,
}

/// The management summary: the company view of the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub period: PeriodInfo,
    pub company_sales: f64,
    pub company_margin: Option<f64>,
    pub margin_pct: Option<f64>,
    /// Accounts in the window (any sales).
    pub accounts: u32,
    /// Accounts with sales > 0 in the window.
    pub active_accounts: u32,
    pub key_accounts: u32,
    pub key_sales: f64,
    pub key_share: f64,
    pub intro: String,
    /// The largest [`PARETO_BARS`] accounts as bars (never a bar for the rest).
    pub pareto: Vec<ParetoPoint>,
    /// The attention items of the largest accounts (most at stake first), for the first page.
    pub top_attention: Vec<SummaryAttention>,
    /// Every customer on the cumulative curve, with the ABC bands.
    pub curve: ParetoCurve,
    pub abc: Vec<AbcRow>,
    pub concentration: ConcentrationView,
    /// KAM workload, by KAM name.
    pub kams: Vec<KamRow>,
    /// Key accounts by KAM (KAM name, then rank).
    pub key_accounts_by_kam: Vec<SummaryAccount>,
    pub unassigned: Vec<AccountRef>,
    pub new_key: Vec<AccountRef>,
    /// Key at P−1 and not now, with why.
    pub lost_key: Vec<LostAccount>,
    /// Sum of the key accounts' targets.
    pub key_target: f64,
    /// The commercial plan, when `[plan] commercial_target` is given.
    pub commercial: Option<Commercial>,
    /// Every plan's attention list, by KAM.
    pub attention: Vec<SummaryAttention>,
    /// Key accounts without a contact in `recency_alert_days` (empty without any record of
    /// contacts: see `contacts_known`).
    pub no_contact: Vec<NoContact>,
    /// Whether an activity log or returned plans were read.
    pub contacts_known: bool,
    /// The heading of `no_contact`, naming the days.
    pub no_contact_title: String,
    /// Said when `no_contact` is empty: every account had a contact, or nothing tells.
    pub no_contact_text: String,
    /// KAMs over `[plan] kam_capacity`, in sentences.
    pub capacity: Vec<String>,
    /// Stricter settings that would focus the list, in sentences (with `capacity`).
    pub focus: Vec<String>,
    /// The classification's warnings.
    pub warnings: Vec<String>,
    /// One row per KAM plan, in the same order as [`Plans::kams`].
    pub handover: Vec<HandoverRow>,
    /// Plan follow-up per KAM: decision makers, steps, calls, agreed targets, returned plans.
    pub follow_up: super::FollowUpView,
}
