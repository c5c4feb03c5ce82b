package notify_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/notify"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// counter counts the driver calls (each a round trip to the database) made
// on behalf of each request id starting with "rt-": statements, BEGIN,
// COMMIT and ROLLBACK.
type counter struct {
	mu     sync.Mutex
	counts map[string]int64
}

// mine returns the key a call made with ctx counts under, or "".
func (c *counter) mine(ctx context.Context) string {
	if id := ajudae.RequestIDFrom(ctx); strings.HasPrefix(id, "rt-") {
		return id
	}
	return ""
}

func (c *counter) add(key string) {
	if key == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int64{}
	}
	c.counts[key]++
}

func (c *counter) get(key string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[key]
}

func (c *counter) wrap(dc driver.Connector) driver.Connector { return &cConnector{dc, c} }

type cConnector struct {
	driver.Connector
	c *counter
}

func (cc *cConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := cc.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cConn{conn, cc.c}, nil
}

type cConn struct {
	driver.Conn
	c *counter
}

func (c *cConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	mine := c.c.mine(ctx)
	c.c.add(mine)
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &cTx{tx, c.c, mine}, nil
}

func (c *cConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.c.add(c.c.mine(ctx))
	return e.ExecContext(ctx, q, args)
}

func (c *cConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.c.add(c.c.mine(ctx))
	return qc.QueryContext(ctx, q, args)
}

func (c *cConn) CheckNamedValue(nv *driver.NamedValue) error {
	if nvc, ok := c.Conn.(driver.NamedValueChecker); ok {
		return nvc.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (c *cConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type cTx struct {
	driver.Tx
	c    *counter
	mine string
}

func (t *cTx) Commit() error {
	t.c.add(t.mine)
	return t.Tx.Commit()
}

func (t *cTx) Rollback() error {
	t.c.add(t.mine)
	return t.Tx.Rollback()
}

// TestRoundTripBudget measures the database round trips of creating a
// ticket and of posting a reply, auth included, with the e-mail outbox in
// place: issue 7 allows 6; the outbox trigger adds none. It also measures
// what River's InsertTx would have cost inside the business transaction
// (logged: the reason for the outbox).
func TestRoundTripBudget(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		cnt := &counter{}
		env := apitest.New(t, e, func(o *sqlstore.Options) { o.WrapConnector = cnt.wrap })
		var teams ajudae.List[ajudae.Team]
		env.Admin.Must(200, "GET", "/team", nil, &teams)
		u := env.NewUser("Rita Requerente")
		staff := env.NewUser("Sílvio Staff")
		env.Admin.Must(201, "PUT", fmt.Sprintf("/team/%d/members/%d", teams.Items[0].ID, staff.ID()), map[string]bool{}, nil)

		measure := func(name string, want int64, method, path string, body any, status int) {
			t.Helper()
			r := env.Do(u.Token, apitest.Request{Method: method, Path: path, Body: body, Header: http.Header{"X-Request-Id": {"rt-" + name}}})
			if r.Status != status {
				t.Fatalf("%s: %d %s", name, r.Status, r.Body)
			}
			got := cnt.get("rt-" + name)
			t.Logf("%s: %d round trips (auth included)", name, got)
			if got > want {
				t.Errorf("%s: %d round trips, budget %d", name, got, want)
			}
		}
		measure("create", 6, "POST", "/ticket", map[string]any{"title": "Orçamento", "description": "d", "teamId": teams.Items[0].ID}, 201)
		measure("reply", 6, "POST", "/ticket/1/messages", map[string]any{"message": "mais detalhes"}, 201)
		if pending, err := env.Store.OutboxPending(t.Context()); err != nil || !pending {
			t.Fatalf("the outbox holds nothing after a new ticket (err %v)", err)
		}

		// What enqueuing with River inside a transaction costs.
		n, err := notify.New(env.Store, notify.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := ajudae.WithRequestID(t.Context(), "rt-river")
		var costs []int64
		_, err = env.Store.DrainOutbox(ctx, 10, func(ctx context.Context, tx *sql.Tx, _ []ajudae.Notice) error {
			for i := range 3 {
				before := cnt.get("rt-river")
				if _, err := n.Jobs().InsertTx(ctx, tx, notify.MailArgs{To: fmt.Sprintf("x%d@example.com", i)}, nil); err != nil {
					return err
				}
				costs = append(costs, cnt.get("rt-river")-before)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("River InsertTx inside a transaction: %v statements per call (first, then within its notify window)", costs)
	})
}
