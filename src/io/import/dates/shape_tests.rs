//! Pins [`super::shape`]'s quick answers against [`super::shape_general`].

use super::*;

#[test]
fn the_quick_answers_are_those_of_the_general_reading() {
    let cells = [
        "2023-01-01",
        "2024-02-29",
        "2023-02-29",
        "2023-13-01",
        "2023-00-10",
        "0000-01-01",
        "9999-12-31",
        "2023-1-01",
        "2023-01-01 10:00",
        "2023-01-01T10:00:00Z",
        " 2023-01-01 ",
        "2023/01/01",
        "20230101",
        "01.02.2024",
        "1/2/24",
        "13/02/2024",
        "Mar 5, 2024",
        "march 5 2024",
        "MAR-05-2024",
        "Sept 5 2024",
        "Dec 31 1999",
        "Mar",
        "Ma",
        "M",
        "Mar5",
        "Oc 5 2024",
        "OcT 5 2024",
        "T 5 2024",
        "Jan. 5, 2024",
        "J.5.2024",
        "C0134900",
        "CUST-0001",
        "c0134900 10:00",
        "décembre 5 2024",
        "Mär 5 2024",
        "5 Mar 2024",
        "05-Mar-2024",
        "15.19",
        "-3",
        "",
        "  ",
        "Ja n 5 2024",
        "Jan 5 2024 10:00",
        "JanT5",
        "Dec,5,2024",
        "Feb/29/2024",
        "Feb/30/2024",
    ];
    let mut quick = 0;
    for c in cells {
        assert_eq!(shape(c), shape_general(c), "{c:?}");
        let t = c.trim();
        if iso_fast(c.as_bytes()).is_some()
            || (t.starts_with(|x: char| x.is_ascii_alphabetic()) && shape(c).is_none())
        {
            quick += 1;
        }
    }
    assert!(quick >= 10, "{quick}");
    assert_eq!(shape("C0134900"), None);
    assert!(matches!(
        shape("2023-01-01"),
        Some((Shape::Exact(_), false))
    ));
}
