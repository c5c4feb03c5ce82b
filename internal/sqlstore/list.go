package sqlstore

import (
	"database/sql"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/ajudae/ajudae"
)

// idCursor decodes the cursor of a list walked by id; 0 means the start.
// It validates page (filling the default limit).
func idCursor(page *ajudae.Page, list string) (int64, error) {
	if err := page.Validate(); err != nil {
		return 0, err
	}
	if page.Cursor == "" {
		return 0, nil
	}
	c, err := ajudae.DecodeCursor(page.Cursor, list)
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// collect scans up to page.Limit rows into a List; one more row than the
// limit means there is a next page, whose cursor is the last item's id.
func collect[T any](rows *sql.Rows, page ajudae.Page, list string, id func(*T) int64, scan func(scanner, *T) error) (*ajudae.List[T], error) {
	defer rows.Close()
	l := &ajudae.List[T]{Items: make([]T, 0, page.Limit)}
	more := false
	for rows.Next() {
		if len(l.Items) == page.Limit {
			more = true
			break
		}
		// Scanned in place: a T of its own would escape to the heap.
		var zero T
		l.Items = append(l.Items, zero)
		if err := scan(rows, &l.Items[len(l.Items)-1]); err != nil {
			return nil, fmt.Errorf("scan %s: %w", list, formatError(err))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", list, formatError(err))
	}
	if more {
		c := ajudae.Cursor{Sort: list, ID: id(&l.Items[len(l.Items)-1])}.Encode()
		l.NextCursor = &c
	}
	return l, nil
}

func utf8ValidTail(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r != utf8.RuneError
}

// nameOr returns the name of a user, or the removed-user name for a
// deleted one (whose name is erased).
func nameOr(n sql.NullString) string {
	if !n.Valid {
		return ajudae.RemovedUserName
	}
	return n.String
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
