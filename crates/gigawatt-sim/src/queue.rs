//! The time-ordered queue of small `Copy` events.
//!
//! A binary min-heap on (time, event): the order is total — events at the same time come out in
//! the order of their kind and fields — so a run never depends on how the heap breaks ties. An
//! entry is 24 bytes. Only events with a
//! deterministic or per-item time sit here — repairs in flight, job restarts, planned stops,
//! job starts and ends, day boundaries. Fleet failures are not queued: the engine draws the next
//! one from the superposed Poisson process of all components (see `engine`).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::time::SimTime;

/// Something that happens at a point in simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Event {
    /// The hardware of nodes `lo..hi` comes back from one repair.
    RepairDone {
        /// First node.
        lo: u32,
        /// One past the last node.
        hi: u32,
    },
    /// A job finishes restarting, unless a later interruption superseded this restart
    /// (`generation` no longer matches the job's).
    JobReady {
        /// Job index.
        job: u16,
        /// The job's restart generation when this was scheduled.
        generation: u32,
    },
    /// A job starts.
    JobStart {
        /// Job index.
        job: u16,
    },
    /// A job reaches its end.
    JobEnd {
        /// Job index.
        job: u16,
    },
    /// A failure of the job itself (a per-job class: software, collectives), whatever its size.
    JobFault {
        /// Job index.
        job: u16,
    },
    /// An extra failure on a node a job holds (its `rate_multiplier` above 1).
    JobNodeFault {
        /// Job index.
        job: u16,
    },
    /// A planned interruption of a job (maintenance, configuration change).
    Planned {
        /// Job index.
        job: u16,
    },
    /// The end of a simulated day (1-based).
    DayEnd {
        /// Day number.
        day: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    time: SimTime,
    event: Event,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap, we want the earliest first.
        other.time.cmp(&self.time).then_with(|| other.event.cmp(&self.event))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A min-queue of events by time, then by event.
#[derive(Clone, Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
}

impl EventQueue {
    /// An empty queue with room for `capacity` events.
    pub fn with_capacity(capacity: usize) -> EventQueue {
        EventQueue { heap: BinaryHeap::with_capacity(capacity) }
    }

    /// Schedules `event` at `time`.
    pub fn push(&mut self, time: SimTime, event: Event) {
        self.heap.push(Entry { time, event });
    }

    /// Time of the earliest event.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    /// The earliest event, without removing it.
    pub fn peek(&self) -> Option<(SimTime, Event)> {
        self.heap.peek().map(|e| (e.time, e.event))
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<(SimTime, Event)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    /// Number of events waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event waits.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_out_by_time_then_by_kind_and_fields() {
        let mut q = EventQueue::with_capacity(4);
        q.push(SimTime(5), Event::DayEnd { day: 2 });
        q.push(SimTime(1), Event::JobStart { job: 0 });
        q.push(SimTime(5), Event::DayEnd { day: 1 });
        q.push(SimTime(3), Event::Planned { job: 1 });
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (SimTime(1), Event::JobStart { job: 0 }),
                (SimTime(3), Event::Planned { job: 1 }),
                (SimTime(5), Event::DayEnd { day: 1 }),
                (SimTime(5), Event::DayEnd { day: 2 }),
            ]
        );
        assert!(q.is_empty());
    }

    #[test]
    fn events_are_small() {
        assert!(std::mem::size_of::<Event>() <= 12);
        assert_eq!(std::mem::size_of::<Entry>(), 24);
    }
}
