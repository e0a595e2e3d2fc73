//! The websocket wire contract: what clients send, what the server answers, and which role
//! sees which event. `docs/protocol.md` is the prose version, with an example of each message.
//!
//! Every frame is a JSON text frame holding one object with a `"type"` field. The projector
//! page is public (anyone with the address can open it), so it never receives participant
//! ids; the facilitator sees pseudonyms only; a participant's own id never leaves its hello.
//!
//! Sequenced events (with `seq`) are durable changes. Derived, fast-changing views — results
//! of polls, scales, word clouds and dot votes, and the wall of items on phones — go out as
//! unsequenced `results` and `wall` frames, coalesced by the session task a few times a
//! second, so a thousand items in a room of ten thousand phones is a few frames per phone,
//! not ten million.
//!
//! | file            | what it holds                                                        |
//! |-----------------|----------------------------------------------------------------------|
//! | `client.rs`     | frames from clients: `hello`, `ping`, each role's actions, decoding  |
//! | `request_id.rs` | the request `id` a client sends and gets back (string or integer)    |
//! | `facilitator.rs`| the facilitator's actions, the only way a wire frame becomes a staff command |
//! | `server.rs`     | frames from the server ([`ServerMessage`])                           |
//! | `views.rs`      | what an item, a prompt, the stage look like on the wire              |
//! | `audience.rs`   | the one table of what each role (and a phone's group) sees           |
//! | `frames.rs`     | welcomes, and each event serialized once per audience ([`Frames`])   |

mod audience;
mod client;
mod facilitator;
mod frames;
mod request_id;
mod server;
#[cfg(test)]
mod tests;
mod views;

use serde::{Deserialize, Serialize};

pub use audience::{audience, has_results, sees_results, topic, wall_items, Audience, Topic};
pub use client::{ClientMessage, DecodeError, Hello, ParticipantAction};
pub use facilitator::FacilitatorAction;
pub use frames::{event_frames, items_page, results_frame, wall_frame, welcome, Frames};
pub use request_id::RequestId;
pub use server::ServerMessage;
pub use views::{BallotEntry, ItemView, Mine, PromptView, SessionView, Stage};

/// The protocol version a client speaks in `hello`; bumped on incompatible changes.
pub const PROTOCOL_VERSION: u32 = 1;

/// Most items a facilitator's welcome carries: the newest ones. A session may hold 200,000;
/// a welcome with all of them is tens of megabytes, built while the session waits, and sent
/// again on every resync. The rest come in pages of [`ITEMS_PAGE_MAX`] (`items` requests).
pub const WELCOME_ITEMS_MAX: usize = 2_000;

/// Most items one `items` page carries (the same bound as the welcome, for the same reason).
pub const ITEMS_PAGE_MAX: usize = 2_000;

/// Longest request id a client may attach, in characters.
pub const REQUEST_ID_MAX: usize = 64;

/// Who is on the other end of a websocket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A phone: sees the current prompt and its own answers (and the wall, when on).
    Participant,
    /// The facilitator's console: sees everything and runs the session (needs the key).
    Facilitator,
    /// The projector: sees the prompt the facilitator put on it (by default the current
    /// one), its visible items and public results, or the join page.
    Screen,
}
