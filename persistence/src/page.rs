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
