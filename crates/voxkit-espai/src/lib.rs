//! Typed async client for the ESP-AI open platform (work in progress).
