package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds a statement cache. Queries are built from a
// bounded set of fragments, so the cache fills up only with an unusual mix
// of filters; past the bound, queries simply run unprepared.
const maxCachedStmts = 512

// stmtCache keeps one prepared statement per query text of a pool.
// SQLite spends about a third of a simple read parsing and planning the
// SQL text when it is prepared again for every call; database/sql's Stmt
// prepares a query once per connection and reuses it, in transactions too
// (Tx.StmtContext). PostgreSQL does not need it: pgx already caches the
// statements it prepares on each connection.
//
// The writer pool of SQLite has one connection, which the transaction
// asking for a statement holds: preparing there would wait for itself. So
// a transaction's unknown query runs unprepared and is noted, and inTx
// prepares the noted queries once the connection is free again (flush).
type stmtCache struct {
	pool     *sql.DB
	deferred bool // prepare in flush, not in get
	mu       sync.RWMutex
	m        map[string]*sql.Stmt
	pending  map[string]bool
}

func newStmtCache(pool *sql.DB, deferred bool) *stmtCache {
	return &stmtCache{pool: pool, deferred: deferred, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the prepared statement of q, or nil when q should run
// unprepared (the cache is full, or preparing failed: running the query
// reports the error then).
func (c *stmtCache) get(ctx context.Context, q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	s, ok := c.m[q]
	full := len(c.m) >= maxCachedStmts
	c.mu.RUnlock()
	if ok || full {
		return s
	}
	if c.deferred {
		c.mu.Lock()
		c.pending[q] = true
		c.mu.Unlock()
		return nil
	}
	return c.prepare(ctx, q)
}

func (c *stmtCache) prepare(ctx context.Context, q string) *sql.Stmt {
	s, err := c.pool.PrepareContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[q]; ok {
		s.Close()
		return prev
	}
	c.m[q] = s
	return s
}

// flush prepares the queries noted while the pool's connection was held.
func (c *stmtCache) flush(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.RLock()
	n := len(c.pending)
	c.mu.RUnlock()
	if n == 0 {
		return
	}
	c.mu.Lock()
	var qs []string
	for q := range c.pending {
		qs = append(qs, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range qs {
		c.mu.RLock()
		full := len(c.m) >= maxCachedStmts
		c.mu.RUnlock()
		if !full {
			c.prepare(ctx, q)
		}
	}
}

// close closes every cached statement.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.m {
		s.Close()
		delete(c.m, q)
	}
}
