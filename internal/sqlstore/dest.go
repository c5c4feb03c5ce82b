package sqlstore

import (
	"database/sql"
	"fmt"
)

// The scan destinations of the hot ticket rows (ticketRow), for the
// conversions database/sql makes through reflection; the times' are in
// timescan.go.

// intDest scans an integer into *p. database/sql would reach an int64
// destination through reflect.Value.Set and an int one through strconv
// (the integer formatted, then parsed); with textDest, that was more than
// half of the CPU of scanning a page of tickets.
type intDest[T ~int | ~int64] struct{ p *T }

func (d intDest[T]) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("scan %T into an integer", src)
	}
	*d.p = T(v)
	return nil
}

// nullIntDest is intDest for a nullable column.
type nullIntDest struct{ p *sql.NullInt64 }

func (d nullIntDest) Scan(src any) error {
	if src == nil {
		*d.p = sql.NullInt64{}
		return nil
	}
	d.p.Valid = true
	return intDest[int64]{&d.p.Int64}.Scan(src)
}

// textDest scans text into *p, of a string type of ours (database/sql
// converts into one through reflection).
type textDest[T ~string] struct{ p *T }

func (d textDest[T]) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*d.p = T(v)
	case []byte:
		*d.p = T(v)
	default:
		return fmt.Errorf("scan %T into text", src)
	}
	return nil
}
