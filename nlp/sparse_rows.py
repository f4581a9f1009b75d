"""Sparse rows that grow one row at a time: appended in place, viewed as a CSR matrix without a copy.

The similar-projects index (``nlp/similar.py``) keeps each project as one row here, so adding a
project costs work proportional to that project (amortised: the buffers double when full, like a
list). A view covers the rows appended so far; later appends write past its end and never change
it, so a search may go on reading a view while another thread adds.
"""

from __future__ import annotations

from typing import Any


def with_room(array: Any, needed: int, fill: float = 0.0) -> Any:
    """`array` itself if it holds `needed` entries, else a copy at least twice as long (new entries `fill`)."""
    import numpy as np

    if len(array) >= needed:
        return array
    grown = np.full((max(needed, 2 * len(array)), *array.shape[1:]), fill, dtype=array.dtype)
    grown[:len(array)] = array
    return grown


class GrowingRows:
    """Rows of (column, value) entries plus a few numbers per row, in buffers that double when full."""

    def __init__(self, sides: int = 0) -> None:
        import numpy as np

        self.rows = 0
        self.nnz = 0
        self._indptr = np.zeros(64, dtype=np.int32)
        self._indices = np.zeros(1024, dtype=np.int32)  # scipy's own index type: a view needs no conversion
        self._data = np.zeros(1024)
        self._ones = np.ones(1024)  # the data of the presence view: 1 wherever a row has an entry
        self._sides = np.zeros((64, sides))

    def extend(self, lengths: Any, columns: Any, values: Any, sides: Any) -> None:
        """Append rows: how many entries each has, their (distinct within a row) columns and values one row
        after another, and rows × side numbers."""
        import numpy as np

        rows = np.repeat(np.arange(len(lengths)), lengths)
        order = np.lexsort((columns, rows))  # sorted within each row: the canonical form the views claim to be in
        end, last = self.nnz + len(order), self.rows + len(lengths)
        self._indices = with_room(self._indices, end)
        self._data = with_room(self._data, end)
        self._ones = with_room(self._ones, end, fill=1.0)
        self._indptr = with_room(self._indptr, last + 1)
        self._sides = with_room(self._sides, last)
        self._indices[self.nnz:end] = np.asarray(columns)[order]
        self._data[self.nnz:end] = np.asarray(values)[order]
        self._indptr[self.rows + 1:last + 1] = self.nnz + np.cumsum(lengths)
        self._sides[self.rows:last] = sides
        self.rows, self.nnz = last, end

    def columns_of(self, row: int) -> Any:
        """The columns of one row's entries."""
        return self._indices[self._indptr[row]:self._indptr[row + 1]]

    def matrix(self, width: int, start: int = 0, presence: bool = False) -> Any:
        """Rows `start`.. so far as a CSR matrix `width` columns wide (values, or 1 where `presence`), no copy."""
        import numpy as np
        from scipy.sparse import csr_matrix

        first, last = int(self._indptr[start]), self.nnz
        indptr = self._indptr[start:self.rows + 1]
        matrix = csr_matrix((self.rows - start, width))
        # Set, not passed to the constructor: it would copy a view much shorter than its buffer (scipy's prune).
        matrix.indptr = indptr - np.int32(first) if first else indptr
        matrix.indices = self._indices[first:last]
        matrix.data = (self._ones if presence else self._data)[first:last]
        return matrix

    def sides(self) -> Any:
        """rows × side numbers so far (a view: later appends do not change it)."""
        return self._sides[:self.rows]

    def kept(self, keep: Any) -> GrowingRows:
        """A copy holding only the rows where `keep` is true, renumbered in order."""
        import numpy as np

        lengths = np.diff(self._indptr[:self.rows + 1])
        entries = np.repeat(keep, lengths)
        out = GrowingRows(self._sides.shape[1])
        out.rows, out.nnz = int(keep.sum()), int(lengths[keep].sum())
        out._indptr = np.concatenate(([0], np.cumsum(lengths[keep]))).astype(np.int32)
        out._indices = self._indices[:self.nnz][entries].copy()
        out._data = self._data[:self.nnz][entries].copy()
        out._ones = np.ones(out.nnz)
        out._sides = self._sides[:self.rows][keep].copy()
        return out


class ColumnIndex:
    """Which rows of a `GrowingRows` have each column: a CSC of the rows up to the last merge, one of those since.

    The merge (a CSC of every row) waits until the rows since outnumber `merge_at` and a sixteenth of the
    merged ones, so its cost is amortised over the rows added; the small block costs only its own rows.
    """

    def __init__(self, width: int, merge_at: int) -> None:
        import numpy as np

        self.width, self.merge_at = width, merge_at
        self.used = np.zeros(width, dtype=bool)  # by column: True once some row has it
        self._base: Any = None
        self._base_rows = 0

    def add(self, columns: Any) -> None:
        """Note the columns of a row just appended."""
        self.used[columns] = True

    def blocks(self, rows: GrowingRows) -> list[tuple[Any, int]]:
        """(rows × columns as CSC, the number of its first row) covering every row so far."""
        recent = rows.rows - self._base_rows
        if self._base is None or recent > max(self.merge_at, self._base_rows // 16):
            self._base, self._base_rows = rows.matrix(self.width, presence=True).tocsc(), rows.rows
        blocks = [(self._base, 0)]
        if rows.rows > self._base_rows:
            blocks.append((rows.matrix(self.width, self._base_rows, presence=True).tocsc(), self._base_rows))
        return blocks
