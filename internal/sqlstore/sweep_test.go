package sqlstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// TestSweepForgetsOldLoginFailures: failures older than the window are
// deleted, so they neither throttle nor pile up.
func TestSweepForgetsOldLoginFailures(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		now := time.Now()
		o := e.Options(t)
		o.Now = func() time.Time { return now }
		o.Throttle = sqlstore.Throttle{PerAccount: 2, PerAddress: 100, Window: time.Minute}
		db, err := sqlstore.Open(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		client := ajudae.Client{IPAddress: "10.0.0.1"}
		for range 2 {
			if _, err := db.Login(t.Context(), ajudae.Credentials{Email: "x@example.com", Password: "nope-nope"}, client, false); ajudae.ErrorCode(err) != ajudae.EUNAUTHORIZED {
				t.Fatalf("login: %v", err)
			}
		}
		_, err = db.Login(t.Context(), ajudae.Credentials{Email: "x@example.com", Password: "nope-nope"}, client, false)
		var ae *ajudae.Error
		if !errors.As(err, &ae) || ae.Code != ajudae.ETHROTTLED || ae.RetryAfter <= 0 || ae.RetryAfter > time.Minute {
			t.Fatalf("third failure: %v, want ETHROTTLED with 0 < RetryAfter <= 1m", err)
		}
		now = now.Add(2 * time.Minute)
		if err := db.Sweep(t.Context()); err != nil {
			t.Fatal(err)
		}
		// Moving the clock back shows the rows are gone, not just old.
		now = now.Add(-2 * time.Minute)
		if _, err := db.Login(t.Context(), ajudae.Credentials{Email: "x@example.com", Password: "nope-nope"}, client, false); ajudae.ErrorCode(err) != ajudae.EUNAUTHORIZED {
			t.Errorf("after the sweep: %v, want EUNAUTHORIZED (not throttled)", err)
		}
	})
}
