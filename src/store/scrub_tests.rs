//! Scrub tests: every file of a session directory is clean after a scrub, and a crash after
//! any step of it leaves a directory the next load scrubs to the same end.
