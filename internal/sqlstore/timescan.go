package sqlstore

import (
	"fmt"
	"time"
)

// SQLite keeps times as text. Read through a column declared TIMESTAMP,
// the driver parses each value by trying layouts in turn (a failed
// time.Parse first, then the right one): 13 % of the CPU of a page of 50
// tickets. The hot ticket queries of SQLite read them as text instead
// (dialect.timeText) and scan them with timeDest, which parses the one
// layout the driver writes and falls back to time.Parse for anything else.

// sqliteTimeLayout is what the driver writes with _time_format=sqlite.
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// timeDest scans a time.Time (PostgreSQL) or its SQLite text into *t.
type timeDest struct{ t *time.Time }

func (d timeDest) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d.t = v
		return nil
	case string:
		return parseSQLiteTime(v, d.t)
	case []byte:
		return parseSQLiteTime(string(v), d.t)
	}
	return fmt.Errorf("scan %T into a time", src)
}

// nullTimeDest is timeDest for a nullable column: NULL is a nil *time.Time.
type nullTimeDest struct{ t **time.Time }

func (d nullTimeDest) Scan(src any) error {
	if src == nil {
		*d.t = nil
		return nil
	}
	var t time.Time
	if err := (timeDest{&t}).Scan(src); err != nil {
		return err
	}
	*d.t = &t
	return nil
}

// parseSQLiteTime parses "2006-01-02 15:04:05[.fraction](Z|±hh:mm)" into
// UTC, the form every stored time has.
func parseSQLiteTime(s string, out *time.Time) error {
	if t, ok := fastSQLiteTime(s); ok {
		*out = t
		return nil
	}
	for _, layout := range []string{sqliteTimeLayout, time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			*out = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("not a time: %q", s)
}

func fastSQLiteTime(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	hour, ok4 := num(11, 13)
	minute, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if i < len(s) && s[i] == '.' {
		i++
		digits := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if digits < 9 {
				nsec = nsec*10 + int(s[i]-'0')
				digits++
			}
			i++
		}
		if digits == 0 {
			return time.Time{}, false
		}
		for ; digits < 9; digits++ {
			nsec *= 10
		}
	}
	offset := 0
	switch rest := s[i:]; {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		h, okh := num(i+1, i+3)
		m, okm := num(i+4, i+6)
		if !okh || !okm {
			return time.Time{}, false
		}
		offset = (h*60 + m) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 February and the like
		return time.Time{}, false
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}
