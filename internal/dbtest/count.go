package dbtest

import (
	"context"
	"database/sql/driver"
	"sync"
)

// Counter counts the calls that reach the database driver — statements
// executed or queried, prepares, BEGINs, COMMITs and ROLLBACKs, pings —
// grouped by a key taken from each call's context (KeyOf; calls whose key
// is "" are not counted). Wrap is an sqlstore.Options.WrapConnector.
type Counter struct {
	KeyOf func(context.Context) string

	mu    sync.Mutex
	calls map[string][]string
}

// Calls returns what was counted under key, in order ("exec", "query",
// "prepare", "begin", "commit", "rollback", "ping").
func (c *Counter) Calls(key string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.calls[key]...)
}

func (c *Counter) add(ctx context.Context, what string) {
	key := c.KeyOf(ctx)
	if key == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string][]string{}
	}
	c.calls[key] = append(c.calls[key], what)
}

// Wrap returns a connector whose connections count their calls.
func (c *Counter) Wrap(dc driver.Connector) driver.Connector {
	return &countConnector{Connector: dc, c: c}
}

type countConnector struct {
	driver.Connector
	c *Counter
}

func (cc *countConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := cc.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countConn{Conn: conn, c: cc.c}, nil
}

// countConn forwards every optional interface database/sql looks for, so
// the driver behaves as unwrapped (ErrSkip where the driver lacks one).
type countConn struct {
	driver.Conn
	c *Counter
}

func (cn *countConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	cn.c.add(ctx, "prepare")
	var (
		s   driver.Stmt
		err error
	)
	if p, ok := cn.Conn.(driver.ConnPrepareContext); ok {
		s, err = p.PrepareContext(ctx, query)
	} else {
		s, err = cn.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &countStmt{Stmt: s, c: cn.c}, nil
}

func (cn *countConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	cn.c.add(ctx, "begin")
	var (
		tx  driver.Tx
		err error
	)
	if b, ok := cn.Conn.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else {
		tx, err = cn.Conn.Begin()
	}
	if err != nil {
		return nil, err
	}
	return &countTx{Tx: tx, c: cn.c, ctx: ctx}, nil
}

func (cn *countConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := cn.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	cn.c.add(ctx, "exec")
	return e.ExecContext(ctx, query, args)
}

func (cn *countConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := cn.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	cn.c.add(ctx, "query")
	return q.QueryContext(ctx, query, args)
}

func (cn *countConn) Ping(ctx context.Context) error {
	p, ok := cn.Conn.(driver.Pinger)
	if !ok {
		return nil
	}
	cn.c.add(ctx, "ping")
	return p.Ping(ctx)
}

func (cn *countConn) ResetSession(ctx context.Context) error {
	if r, ok := cn.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (cn *countConn) IsValid() bool {
	if v, ok := cn.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (cn *countConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := cn.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type countTx struct {
	driver.Tx
	c   *Counter
	ctx context.Context // of BeginTx: Commit and Rollback have none
}

func (t *countTx) Commit() error {
	t.c.add(t.ctx, "commit")
	return t.Tx.Commit()
}

func (t *countTx) Rollback() error {
	t.c.add(t.ctx, "rollback")
	return t.Tx.Rollback()
}

type countStmt struct {
	driver.Stmt
	c *Counter
}

func (s *countStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.c.add(ctx, "exec")
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	return s.Stmt.Exec(values(args))
}

func (s *countStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.c.add(ctx, "query")
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	return s.Stmt.Query(values(args))
}

func (s *countStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func values(args []driver.NamedValue) []driver.Value {
	v := make([]driver.Value, len(args))
	for i, a := range args {
		v[i] = a.Value
	}
	return v
}
