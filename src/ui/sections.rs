//! The registry of a long page's sections, which the contents bar lists and watches (pure, so
//! it is tested natively; the Yew side is `components::contents`).
//!
//! A section registers each time it is mounted, under a token of its own: Yew replaces a
//! section's element when a page shows a different branch under the same id (a "needs data"
//! card becoming the real one), and the bar must then watch the new element. The old mounting's
//! leaving and the new one's arrival can come in either order; neither may drop the section.

use std::collections::BTreeSet;
use std::rc::Rc;

/// One registered section.
#[derive(Clone, PartialEq, Debug)]
pub struct Entry {
    /// Section id (`trends`).
    pub id: Rc<str>,
    /// Heading text, also the bar's entry.
    pub title: Rc<str>,
    /// The mounting that registered it ([`next_mount`]).
    pub mount: u32,
}

/// A change to the registry.
#[derive(Debug)]
pub enum Change {
    /// A section appeared, changed its title, or was mounted again.
    Add(Entry),
    /// A section's mounting left the page; ignored when a newer mounting of the same id has
    /// registered since.
    Remove {
        /// Section id.
        id: Rc<str>,
        /// The mounting that leaves.
        mount: u32,
    },
}

/// The entries after `change`, or `None` when nothing changes (registration order kept).
pub fn apply(entries: &[Entry], change: Change) -> Option<Vec<Entry>> {
    let mut out = entries.to_vec();
    match change {
        Change::Add(new) => match out.iter_mut().find(|e| e.id == new.id) {
            Some(e) if *e == new => return None,
            Some(e) => *e = new,
            None => out.push(new),
        },
        Change::Remove { id, mount } => {
            out.retain(|e| !(e.id == id && e.mount == mount));
            if out.len() == entries.len() {
                return None;
            }
        }
    }
    Some(out)
}

/// The DOM id of a section's element.
pub fn section_dom_id(id: &str) -> String {
    format!("section-{id}")
}

/// What the browser last reported (by `IntersectionObserver`s, after its own layout): the DOM
/// ids of the sections crossing the top third of the window, and whether the page's start and
/// end markers are in view.
#[derive(Default, Debug)]
pub struct Seen {
    /// Sections crossing the top third.
    pub inside: BTreeSet<String>,
    /// The marker before the first section is in view.
    pub start: bool,
    /// The marker after the last section is in view.
    pub end: bool,
}

/// The section in view, of the sections in page order: at the very end of a page that scrolls,
/// the last (it may be too short to reach the top third); else the last crossing the top third;
/// at the top of the page, before any section reaches that band, the first; between two
/// sections' boxes, `previous`.
pub fn in_view(order: &[Entry], seen: &Seen, previous: Option<Rc<str>>) -> Option<Rc<str>> {
    if seen.end && !seen.start {
        return order.last().map(|e| e.id.clone());
    }
    let first = || order.first().map(|e| e.id.clone());
    if let Some(e) = order
        .iter()
        .rev()
        .find(|e| seen.inside.contains(&section_dom_id(&e.id)))
    {
        return Some(e.id.clone());
    }
    if seen.start {
        return first();
    }
    previous.or_else(first)
}

/// A token for one mounting of a section, unique for the page's life.
pub fn next_mount() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, title: &str, mount: u32) -> Entry {
        Entry {
            id: id.into(),
            title: title.into(),
            mount,
        }
    }

    fn remove(id: &str, mount: u32) -> Change {
        Change::Remove {
            id: id.into(),
            mount,
        }
    }

    #[test]
    fn a_section_mounted_again_is_watched_again_in_either_order() {
        let one = apply(&[], Change::Add(entry("a", "A", 1))).unwrap();
        // The new mounting registers before the old one leaves: the registry changes (so the
        // bar watches the new element), and the old one's leaving does not remove it.
        let two = apply(&one, Change::Add(entry("a", "A", 2))).expect("a new mounting is a change");
        assert_eq!(apply(&two, remove("a", 1)), None);
        assert_eq!(two, vec![entry("a", "A", 2)]);
        // The old one leaves first, then the new one registers.
        let none = apply(&one, remove("a", 1)).unwrap();
        assert!(none.is_empty());
        assert_eq!(
            apply(&none, Change::Add(entry("a", "A", 2))),
            Some(vec![entry("a", "A", 2)])
        );
    }

    #[test]
    fn titles_change_in_place_and_the_same_registration_changes_nothing() {
        let r = apply(&[], Change::Add(entry("a", "A", 1))).unwrap();
        let r = apply(&r, Change::Add(entry("b", "B", 2))).unwrap();
        assert_eq!(apply(&r, Change::Add(entry("a", "A", 1))), None);
        assert_eq!(
            apply(&r, Change::Add(entry("a", "A2", 1))),
            Some(vec![entry("a", "A2", 1), entry("b", "B", 2)])
        );
        assert_eq!(apply(&r, remove("c", 3)), None);
        assert_eq!(apply(&r, remove("a", 1)), Some(vec![entry("b", "B", 2)]));
    }

    #[test]
    fn the_section_in_view() {
        let order = [entry("a", "A", 1), entry("b", "B", 2), entry("c", "C", 3)];
        let seen = |inside: &[&str], start, end| Seen {
            inside: inside.iter().map(|i| section_dom_id(i)).collect(),
            start,
            end,
        };
        let at = |s: &Seen, previous: Option<&str>| in_view(&order, s, previous.map(Rc::from));
        // Back at the top, where the page's heading and filters keep the first section below
        // the top third: the first, not the section marked before (the last, say).
        assert_eq!(at(&seen(&[], true, false), Some("c")).as_deref(), Some("a"));
        // The last of those crossing the top third.
        assert_eq!(
            at(&seen(&["a", "b"], false, false), None).as_deref(),
            Some("b")
        );
        assert_eq!(
            at(&seen(&["b"], true, false), Some("c")).as_deref(),
            Some("b")
        );
        // The end of the page: the last, even when it never reaches the top third.
        assert_eq!(at(&seen(&["b"], false, true), None).as_deref(), Some("c"));
        // A page short enough to show its start and end: by the band.
        assert_eq!(at(&seen(&["a"], true, true), None).as_deref(), Some("a"));
        // Between two sections' boxes: the one marked before; nothing marked yet: the first.
        assert_eq!(
            at(&seen(&[], false, false), Some("b")).as_deref(),
            Some("b")
        );
        assert_eq!(at(&seen(&[], false, false), None).as_deref(), Some("a"));
        assert_eq!(in_view(&[], &seen(&[], true, false), None), None);
    }

    #[test]
    fn mount_tokens_never_repeat() {
        let (a, b) = (next_mount(), next_mount());
        assert_ne!(a, b);
    }
}
