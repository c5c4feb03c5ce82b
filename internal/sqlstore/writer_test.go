package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestConcurrentWritesFailAlone: many writes at once (on SQLite, committed
// together by the one writer), each writing two rows; the writes that fail
// after their first row, or panic, leave nothing, and every other write is
// committed whole before it returns.
func TestConcurrentWritesFailAlone(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		ctx := t.Context()
		const writes = 200
		errFail := errors.New("refused after the first row")
		var wg sync.WaitGroup
		errs := make([]error, writes)
		for i := range writes {
			wg.Go(func() {
				errs[i] = db.WriteTx(ctx, func(exec func(string, ...any) error) error {
					for part := range 2 {
						if err := exec(`INSERT INTO audit_log (action, target_type, target_id, created_at) VALUES (?, 'test', ?, ?)`,
							fmt.Sprintf("part%d", part), i, time.Now().UTC()); err != nil {
							return err
						}
						switch {
						case i%5 == 1 && part == 0:
							return errFail
						case i%5 == 3 && part == 0 && e.Name == "sqlite":
							panic("boom") // the writer goroutine's; elsewhere the caller's own
						}
					}
					return nil
				})
			})
		}
		wg.Wait()
		var kept int64
		for i, err := range errs {
			n, cerr := db.Count(ctx, `SELECT count(*) FROM audit_log WHERE target_type = 'test' AND target_id = ?`, i)
			if cerr != nil {
				t.Fatal(cerr)
			}
			switch i % 5 {
			case 1:
				if !errors.Is(err, errFail) || n != 0 {
					t.Errorf("write %d: err %v and %d rows, want errFail and 0 rows", i, err, n)
				}
			case 3:
				if e.Name == "sqlite" {
					if err == nil || n != 0 {
						t.Errorf("write %d panicked: err %v and %d rows, want an error and 0 rows", i, err, n)
					}
					break
				}
				fallthrough
			default:
				if err != nil || n != 2 {
					t.Errorf("write %d: err %v and %d rows, want nil and 2 rows", i, err, n)
				}
				kept += n
			}
		}
		ok := writes / 5 * 4
		if e.Name == "sqlite" {
			ok = writes / 5 * 3
		}
		if want := int64(ok) * 2; kept != want {
			t.Errorf("%d rows kept, want %d", kept, want)
		}
	})
}

// TestWriteCanceledBeforeItRuns: a write whose context has ended is not
// run, and the writer goes on serving others.
func TestWriteCanceledBeforeItRuns(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		ran := false
		err := db.WriteTx(ctx, func(func(string, ...any) error) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Fatalf("canceled write: err %v, ran %v; want context.Canceled, not run", err, ran)
		}
		if err := db.WriteTx(t.Context(), func(exec func(string, ...any) error) error {
			return exec(`INSERT INTO audit_log (action, target_type, target_id, created_at) VALUES ('after', 'test', 1, ?)`, time.Now().UTC())
		}); err != nil {
			t.Fatalf("write after a canceled one: %v", err)
		}
	})
}

// TestRefusalFromCommittedData: a write refused because of another write
// (here a unique value) is refused only if that other write committed. On
// SQLite the two run in one group; the first one's caller leaves as soon
// as the second fails, before the first could commit alone.
func TestRefusalFromCommittedData(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		db := dbtest.Open(t, e)
		ctx := t.Context()
		if err := db.WriteTx(ctx, func(exec func(string, ...any) error) error {
			return exec(`CREATE TABLE u (x INTEGER UNIQUE)`)
		}); err != nil {
			t.Fatal(err)
		}
		// A write that holds the writer while A and B queue behind it.
		release := make(chan struct{})
		held := make(chan error, 1)
		go func() {
			held <- db.WriteTx(ctx, func(func(string, ...any) error) error { <-release; return nil })
		}()
		time.Sleep(100 * time.Millisecond)
		ctxA, leaveA := context.WithCancel(ctx)
		defer leaveA()
		doneA := make(chan error, 1)
		go func() {
			doneA <- db.WriteTx(ctxA, func(exec func(string, ...any) error) error { return exec(`INSERT INTO u VALUES (1)`) })
		}()
		time.Sleep(100 * time.Millisecond)
		doneB := make(chan error, 1)
		go func() {
			doneB <- db.WriteTx(ctx, func(exec func(string, ...any) error) error {
				err := exec(`INSERT INTO u VALUES (1)`)
				if err != nil {
					leaveA() // A's client goes away now
				}
				return err
			})
		}()
		time.Sleep(100 * time.Millisecond)
		close(release)
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		errA, errB := <-doneA, <-doneB
		n, err := db.Count(ctx, `SELECT count(*) FROM u WHERE x = 1`)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("A: %v; B: %v; %d rows with x = 1, want exactly 1", errA, errB, n)
		}
		if (errA == nil) == (errB == nil) {
			t.Errorf("A: %v; B: %v; want exactly one of them refused", errA, errB)
		}
	})
}
