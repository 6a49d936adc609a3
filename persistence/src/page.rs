//! Cursor pagination: items ordered by their time-ordered id, the cursor is the last id seen.

/// Largest page a client may ask for.
pub const MAX_LIMIT: i64 = 200;
/// Page size when the client gives none.
pub const DEFAULT_LIMIT: i64 = 50;

/// What the client asked for.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Items per page, 1 to [`MAX_LIMIT`].
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The page size to use.
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only says there is more.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        limit: i64,
        id: impl Fn(&R) -> String,
        map: impl FnMut(R) -> crate::Result<T>,
    ) -> crate::Result<Self> {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more { rows.last().map(&id) } else { None };
        let items = rows
            .into_iter()
            .map(map)
            .collect::<crate::Result<Vec<T>>>()?;
        Ok(Self { items, next_cursor })
    }
}

impl<T> Page<T> {
    /// Pages groups of items taken in key order after the cursor (a habilitation and the members
    /// it reaches, a partner and its quota lines): a page ends at a group's boundary once it holds
    /// `limit` items, so that one group's items are never split across pages. `fetch` gives up to
    /// `n` groups after a key, in key order; both it and `expand` work on `conn`.
    pub fn by_groups<C: ?Sized, G>(
        req: &PageRequest,
        conn: &mut C,
        mut fetch: impl FnMut(&mut C, Option<&str>, i64) -> crate::Result<Vec<G>>,
        key: impl Fn(&G) -> String,
        mut expand: impl FnMut(&mut C, G) -> crate::Result<Vec<T>>,
    ) -> crate::Result<Self> {
        let limit = req.limit() as usize;
        let mut after = req.cursor.clone();
        let mut items = Vec::new();
        loop {
            let batch = fetch(conn, after.as_deref(), MAX_LIMIT)?;
            let last_batch = (batch.len() as i64) < MAX_LIMIT;
            for group in batch {
                if items.len() >= limit {
                    return Ok(Self {
                        items,
                        next_cursor: after,
                    });
                }
                after = Some(key(&group));
                items.extend(expand(conn, group)?);
            }
            if last_batch {
                return Ok(Self {
                    items,
                    next_cursor: None,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(limit: i64, cursor: Option<&str>) -> PageRequest {
        PageRequest {
            limit: Some(limit),
            cursor: cursor.map(str::to_string),
        }
    }

    #[test]
    fn groups_stay_whole_and_every_item_comes_once() {
        // 450 groups (more than one batch), group k holds k % 3 items.
        let keys: Vec<String> = (0..450).map(|k| format!("{k:04}")).collect();
        let fetch = |_: &mut (), after: Option<&str>, n: i64| {
            Ok(keys
                .iter()
                .filter(|k| after.is_none_or(|a| k.as_str() > a))
                .take(n as usize)
                .cloned()
                .collect::<Vec<_>>())
        };
        let expand = |_: &mut (), k: String| {
            let n: usize = k.parse::<usize>().unwrap() % 3;
            Ok((0..n).map(|i| format!("{k}.{i}")).collect::<Vec<_>>())
        };
        let mut seen = vec![];
        let mut cursor: Option<String> = None;
        loop {
            let page = Page::by_groups(
                &req(7, cursor.as_deref()),
                &mut (),
                fetch,
                |k| k.clone(),
                expand,
            )
            .unwrap();
            assert!(page.items.len() <= 7 + 2, "{}", page.items.len());
            // No group is split: the first item of a page starts its group.
            if let Some(first) = page.items.first() {
                assert!(first.ends_with(".0"), "{first}");
            }
            seen.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let expected: usize = (0..450).map(|k| k % 3).sum();
        assert_eq!(seen.len(), expected);
        let mut unique = seen.clone();
        unique.dedup();
        assert_eq!(unique.len(), expected);
    }
}
