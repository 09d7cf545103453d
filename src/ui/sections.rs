//! The registry of a long page's sections, which the contents bar lists and watches (pure, so
//! it is tested natively; the Yew side is `components::contents`).
//!
//! A section registers each time it is mounted, under a token of its own: Yew replaces a
//! section's element when a page shows a different branch under the same id (a "needs data"
//! card becoming the real one), and the bar must then watch the new element. The old mounting's
//! leaving and the new one's arrival can come in either order; neither may drop the section.

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
    fn mount_tokens_never_repeat() {
        let (a, b) = (next_mount(), next_mount());
        assert_ne!(a, b);
    }
}
