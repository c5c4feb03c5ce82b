package sqlstore

import (
	"database/sql"
	"testing"

	"github.com/ajudae/ajudae"
)

// The ticket tests walk these destinations with real rows of both
// engines; this checks what those rows never hold.
func TestScanDestinations(t *testing.T) {
	var (
		n      int
		id     int64
		null   = sql.NullInt64{Int64: 7, Valid: true}
		status ajudae.Status
	)
	if err := (intDest[int]{&n}).Scan(int64(42)); err != nil || n != 42 {
		t.Errorf("int: %d, %v", n, err)
	}
	if err := (intDest[int64]{&id}).Scan(int64(1) << 40); err != nil || id != 1<<40 {
		t.Errorf("int64: %d, %v", id, err)
	}
	if err := (nullIntDest{&null}).Scan(nil); err != nil || null.Valid || null.Int64 != 0 {
		t.Errorf("NULL: %+v, %v", null, err)
	}
	if err := (nullIntDest{&null}).Scan(int64(9)); err != nil || !null.Valid || null.Int64 != 9 {
		t.Errorf("not NULL: %+v, %v", null, err)
	}
	if err := (textDest[ajudae.Status]{&status}).Scan([]byte("Fechado")); err != nil || status != ajudae.StatusClosed {
		t.Errorf("text as bytes: %q, %v", status, err)
	}
	for _, bad := range []struct {
		dest sql.Scanner
		src  any
	}{
		{intDest[int]{&n}, "42"},
		{intDest[int64]{&id}, nil},
		{nullIntDest{&null}, 4.2},
		{textDest[ajudae.Status]{&status}, int64(1)},
		{textDest[ajudae.Status]{&status}, nil},
	} {
		if err := bad.dest.Scan(bad.src); err == nil {
			t.Errorf("%T took %#v", bad.dest, bad.src)
		}
	}
}
