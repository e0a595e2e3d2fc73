//! Integration tests: the real server on an ephemeral port, real websockets, real files.
//! One test binary (modules below) so the link happens once.

mod activities;
mod browser;
mod crash;
mod errors;
mod http_api;
mod load;
mod support;
mod workshop;
