//! Publish: the month's folder written atomically — temp folder, lock, rename, manifest, index.
