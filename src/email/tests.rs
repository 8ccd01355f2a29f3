//! Whole-email tests against the labelled samples in ../shared/eval (not copied here).
