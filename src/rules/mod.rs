//! The threshold engine: rule packs, transfer profiles and the decision they give.
