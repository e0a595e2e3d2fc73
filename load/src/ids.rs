//! Item ids that carry their own workload and index, so a phone can tell which of this run's
//! items a frame names with a prefix check and two hex reads.

use uuid::Uuid;

/// Which submission workload an item belongs to (encoded in its id).
pub type PhaseId = u16;
/// Items sent one at a time per sender, each after the previous ack.
pub const CLOSED: PhaseId = 0;
/// Items sent at a fixed offered rate.
pub const RATE: PhaseId = 1;
/// Items on a prompt whose wall is on.
pub const WALL: PhaseId = 2;
/// How many workloads there are (the phase ids above).
pub const PHASES: usize = 3;

/// Item ids this run makes: 64 bits of run nonce, 16 bits of phase, 48 bits of index. The
/// hyphenated form puts the nonce in the first 19 characters, so a phone recognizes this run's
/// items with a prefix check and reads the index without parsing JSON.
#[derive(Debug, Clone)]
pub struct ItemIds {
    nonce: u64,
    prefix: String,
}

impl ItemIds {
    /// Ids for a run with this nonce.
    pub fn new(nonce: u64) -> Self {
        let prefix = Uuid::from_u128(u128::from(nonce) << 64).to_string()[..19].to_owned();
        Self { nonce, prefix }
    }

    /// The id of item `index` of `phase`.
    pub fn id(&self, phase: PhaseId, index: usize) -> Uuid {
        Uuid::from_u128(
            (u128::from(self.nonce) << 64)
                | (u128::from(phase) << 48)
                | (index as u128 & 0xffff_ffff_ffff),
        )
    }

    /// The phase and index of an id of this run; `None` for anything else.
    pub fn parse(&self, id: &str) -> Option<(PhaseId, usize)> {
        if id.len() != 36 || !id.starts_with(&self.prefix) {
            return None;
        }
        let phase = u16::from_str_radix(id.get(19..23)?, 16).ok()?;
        let index = u64::from_str_radix(id.get(24..36)?, 16).ok()?;
        Some((phase, usize::try_from(index).ok()?))
    }

    /// Every item of this run named in `text` (each `{"id":"…"` object), in order.
    pub fn scan<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (PhaseId, usize)> + 'a {
        const OBJECT: &str = "{\"id\":\"";
        text.match_indices(OBJECT)
            .filter_map(move |(at, _)| text.get(at + OBJECT.len()..at + OBJECT.len() + 36))
            .filter_map(|id| self.parse(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_ids_round_trip_and_ignore_others() {
        let ids = ItemIds::new(0x0123_4567_89ab_cdef);
        let id = ids.id(WALL, 123_456).to_string();
        assert_eq!(ids.parse(&id), Some((WALL, 123_456)));
        assert_eq!(ItemIds::new(7).parse(&id), None);
        assert_eq!(ids.parse("not-an-id"), None);
        let frame = format!(
            r#"{{"type":"wall","prompt_id":"p3","items":[{{"id":"{id}","text":"{{\"id\":\"x"}},{{"id":"{}"}}],"removed":[]}}"#,
            ids.id(WALL, 7)
        );
        assert_eq!(
            ids.scan(&frame).collect::<Vec<_>>(),
            vec![(WALL, 123_456), (WALL, 7)]
        );
    }
}
