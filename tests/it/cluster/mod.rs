//! The cluster (issue 16) under faults, on a rig of real processes: three `nats-server`s
//! (JetStream R3) and three `paja --nats …` binaries on loopback (`rig.rs`), phones as real
//! websockets spread over the nodes that log every ack (`phones.rs`), and the scenarios, each
//! CI-sized (seconds, a few repetitions) with the assertions: the owner killed
//! (`owner_kill.rs`), the stream leader killed (`leader_kill.rs`), a zombie owner
//! (`zombie.rs`), the owner cut off from NATS (`partition.rs`), rolling restarts
//! (`rolling.rs`). `rig_self.rs` proves the rig itself. Every test here needs nats-server
//! (scripts/install-nats) and fails without it.

pub mod checks;
mod inspect;
mod leader_kill;
mod nats;
mod netns;
mod node;
mod owner_kill;
mod partition;
mod phones;
mod planned;
pub mod rig;
mod rig_self;
mod rolling;
mod zombie;
