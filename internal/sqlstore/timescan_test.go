package sqlstore

import (
	"testing"
	"time"
)

func TestParseSQLiteTime(t *testing.T) {
	for _, s := range []string{
		"2026-11-26 02:49:11.123456+00:00",
		"2026-11-26 02:49:11+00:00",
		"2026-11-26 02:49:11.1-03:00",
		"2024-02-29 23:59:59.999999999+05:30",
		"2026-01-02T03:04:05.5Z",
		"2026-01-02 03:04:05.123",
	} {
		var got time.Time
		if err := parseSQLiteTime(s, &got); err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		var want time.Time
		var err error
		for _, l := range []string{sqliteTimeLayout, time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if want, err = time.Parse(l, s); err == nil {
				break
			}
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%q: got %v, want %v in UTC", s, got, want)
		}
	}
	for _, s := range []string{"", "2026-13-01 00:00:00+00:00", "2026-02-31 00:00:00+00:00", "2026-01-01 24:00:00+00:00", "2026-01-01 00:00:00.+00:00", "agora"} {
		var got time.Time
		if err := parseSQLiteTime(s, &got); err == nil {
			t.Errorf("%q parsed as %v, want an error", s, got)
		}
	}
}
