//! Typed async client for the longlonglong AI outbound-call agent API (work in progress).
