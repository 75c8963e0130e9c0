//! Full-text search that works for Chinese queries of every length.
//!
//! SQLite's trigram tokenizer finds nothing for one- or two-character queries,
//! and the commonest Chinese searches are two characters (医院, 养老). So the
//! text is indexed with every CJK character as its own token (unicode61 over
//! pre-segmented text) and a query is searched as a phrase: 医院 → "医 院",
//! which matches the two characters side by side.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// What a search hit points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Suggestion,
    Draft,
    Contact,
}

impl HitKind {
    fn code(self) -> &'static str {
        match self {
            HitKind::Suggestion => "suggestion",
            HitKind::Draft => "draft",
            HitKind::Contact => "contact",
        }
    }
    fn from_code(s: &str) -> Self {
        match s {
            "draft" => HitKind::Draft,
            "contact" => HitKind::Contact,
            _ => HitKind::Suggestion,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub kind: HitKind,
    /// Suggestion id, assignment id or contact record id.
    pub ref_id: String,
    pub suggestion_id: String,
    pub suggestion_number: u32,
    pub title: String,
}

/// Ideographs, kana and the like: each becomes its own token.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F
        | 0x3040..=0x30FF | 0xAC00..=0xD7AF)
}

/// Text as the index stores it: CJK characters separated by spaces, other
/// words kept whole, punctuation turned into spaces.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else if c.is_alphanumeric() {
            out.push(c);
        } else {
            out.push(' ');
        }
    }
    out
}

/// An FTS5 query: each whitespace-separated part of the user's query is a
/// phrase, and all parts must match. Returns `None` for a query with nothing
/// searchable in it.
pub fn fts_query(query: &str) -> Option<String> {
    let phrases: Vec<String> = query
        .split_whitespace()
        .map(|part| {
            segment(part)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| !p.is_empty())
        // Tokens hold only letters and digits, so no quote needs escaping.
        .map(|p| format!("\"{p}\""))
        .collect();
    if phrases.is_empty() {
        None
    } else {
        Some(phrases.join(" AND "))
    }
}

/// Replaces the indexed text for (`kind`, `ref_id`).
pub(crate) fn index(
    tx: &Transaction<'_>,
    kind: HitKind,
    ref_id: &str,
    suggestion_id: &str,
    text: &str,
) -> Result<()> {
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM search_docs WHERE kind = ?1 AND ref_id = ?2",
            params![kind.code(), ref_id],
            |r| r.get(0),
        )
        .optional()?;
    let rowid = match existing {
        Some(id) => {
            tx.execute("DELETE FROM search_index WHERE rowid = ?1", [id])?;
            id
        }
        None => {
            tx.execute(
                "INSERT INTO search_docs (kind, ref_id, suggestion_id) VALUES (?1, ?2, ?3)",
                params![kind.code(), ref_id, suggestion_id],
            )?;
            tx.last_insert_rowid()
        }
    };
    tx.execute(
        "INSERT INTO search_index (rowid, body) VALUES (?1, ?2)",
        params![rowid, segment(text)],
    )?;
    Ok(())
}

pub(crate) fn search(conn: &Connection, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
    let Some(q) = fts_query(query) else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT d.kind, d.ref_id, s.id, s.number, s.title
           FROM search_index i
           JOIN search_docs d ON d.id = i.rowid
           JOIN suggestions s ON s.id = d.suggestion_id
          WHERE search_index MATCH ?1
          ORDER BY i.rank
          LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![q, limit as i64], |r| {
        Ok(SearchHit {
            kind: HitKind::from_code(&r.get::<_, String>(0)?),
            ref_id: r.get(1)?,
            suggestion_id: r.get(2)?,
            suggestion_number: r.get(3)?,
            title: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cjk_per_character_and_keeps_words() {
        assert_eq!(
            segment("医院CT检查2024年")
                .split_whitespace()
                .collect::<Vec<_>>(),
            vec!["医", "院", "CT", "检", "查", "2024", "年"]
        );
        assert_eq!(fts_query("医院").as_deref(), Some("\"医 院\""));
        assert_eq!(
            fts_query("民营经济 2024").as_deref(),
            Some("\"民 营 经 济\" AND \"2024\"")
        );
        assert_eq!(fts_query("\"  ，。"), None);
        assert_eq!(
            fts_query("a\"b OR c").as_deref(),
            Some("\"a b\" AND \"OR\" AND \"c\"")
        );
    }
}
