package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// SQLite has one writer. Writes that arrive while a transaction runs are
// committed together by the next one (group commit): the writes of a group
// share one transaction and its commit, so the WAL frames of the pages they
// all touch (the tables' last leaves, their indexes, the full-text index's
// new segment) are written once instead of once per write. Every caller
// still returns only after its own write is committed.
//
// A write that fails must leave nothing behind. Savepoints would isolate
// it, but FTS5 writes its pending index data at every savepoint, which
// costs what the grouping saves; so a group runs without them, and when a
// write of it fails, the group is rolled back and every write of it runs
// again in a transaction of its own, the failing one included: its answer
// must come from committed data, not from writes of the group that may
// never commit (their callers may leave before they run again).

// maxGroup bounds the writes committed together.
const maxGroup = 64

// errClosed is returned by a write after Close.
var errClosed = errors.New("sqlstore: the store is closed")

// writeJob is a write transaction waiting for SQLite's writer.
type writeJob struct {
	ctx   context.Context
	fn    func(*Tx) error
	state atomic.Int32 // queued, running or abandoned
	done  chan error   // receives fn's error, or the commit's
}

const (
	queued    = iota // waiting; its caller may abandon it
	running          // taken by the writer; its caller waits for the outcome
	abandoned        // its caller left (context ended); the writer skips it
)

// submit hands fn to the writer goroutine and waits until it has been
// committed or rolled back. A caller whose context ends before the writer
// starts its fn gets ctx.Err() and fn does not run (the writer may wait for
// SQLite's lock, held by another process, for up to busy_timeout); once fn
// has started, the caller waits for the outcome.
func (db *DB) submit(ctx context.Context, fn func(*Tx) error) error {
	j := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.writes <- j:
	case <-ctx.Done():
		return unavailable(ctx.Err())
	case <-db.closing:
		return unavailable(errClosed)
	}
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		if j.state.CompareAndSwap(queued, abandoned) {
			return unavailable(ctx.Err())
		}
		return <-j.done
	}
}

// writeLoop is SQLite's writer: it takes the first waiting job, then every
// job already waiting (up to maxGroup), and commits them together.
func (db *DB) writeLoop() {
	batch := make([]*writeJob, 0, maxGroup)
	others := time.NewTicker(time.Second)
	defer others.Stop()
	for {
		select {
		case j := <-db.writes:
			batch = append(batch[:0], j)
		case <-others.C:
			db.actors.checkOthers(db.write)
			continue
		case <-db.closing:
			return
		}
	fill:
		for len(batch) < maxGroup {
			select {
			case j := <-db.writes:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		db.commitGroup(batch)
		clear(batch)
	}
}

// commitGroup runs jobs, together when they all succeed.
func (db *DB) commitGroup(jobs []*writeJob) {
	defer db.writeStmts.flush(context.Background())
	for _, j := range db.runGroup(jobs) {
		db.runGroup([]*writeJob{j})
	}
}

// runGroup runs jobs in one transaction. When they all succeed, it commits
// and tells each. When one fails, a job alone is told its error; in a
// group of several, the transaction is rolled back and the jobs not yet
// told are returned, as if they had not run (they may be abandoned again).
func (db *DB) runGroup(jobs []*writeJob) (again []*writeJob) {
	// The transaction outlives any one caller's context (database/sql rolls
	// a transaction back when the context of BeginTx ends), and keeps the
	// first caller's values (request id) for the statements it counts.
	ctx := context.WithoutCancel(jobs[0].ctx)
	stx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		err = formatError(err)
		for _, j := range jobs {
			if j.state.CompareAndSwap(queued, running) {
				j.done <- err
			}
		}
		return nil
	}
	db.actors.begin() // until settled
	// abort rolls the transaction back after err. A group of one tells its
	// job; a larger one hands the jobs that ran back to be run alone.
	abort := func(err error, ran []*writeJob) []*writeJob {
		stx.Rollback()
		db.actors.settled()
		if len(jobs) == 1 {
			ran[0].done <- err
			return nil
		}
		for _, r := range ran {
			r.state.Store(queued)
		}
		return ran
	}
	ran := make([]*writeJob, 0, len(jobs))
	events := false
	for i, j := range jobs {
		if !j.state.CompareAndSwap(queued, running) {
			continue // abandoned
		}
		if err := j.ctx.Err(); err != nil {
			j.done <- unavailable(err)
			continue
		}
		tx := &Tx{tx: stx, db: db, now: db.now()}
		if err := runJob(j, tx); err != nil {
			return append(abort(err, append(ran, j)), jobs[i+1:]...)
		}
		ran = append(ran, j)
		events = events || tx.wroteEvents
	}
	if len(ran) == 0 {
		stx.Rollback()
		db.actors.settled()
		return nil
	}
	if err := db.indexSearch(ctx, &Tx{tx: stx, db: db}); err != nil {
		return abort(err, ran)
	}
	err = formatError(stx.Commit())
	db.actors.settled() // before any caller hears of its write
	for _, j := range ran {
		j.done <- err
	}
	if err == nil && events {
		db.committedEvents()
	}
	return nil
}

// runJob calls j's fn, turning a panic into an error: the writer goroutine
// serves every request and must not die with one.
func runJob(j *writeJob, tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return j.fn(tx)
}

// indexSearch adds the tickets and messages that tx wrote to the full-text
// index, all in one statement (migration 0004 of SQLite): FTS5 flushes its
// pending data at every statement savepoint, so rows indexed one statement
// at a time were written to disk one tiny segment at a time.
func (db *DB) indexSearch(ctx context.Context, tx *Tx) error {
	if !db.searchPending.Swap(false) {
		return nil
	}
	if _, err := tx.exec(ctx, `DELETE FROM search_pending`); err != nil {
		return fmt.Errorf("index for search: %w", err)
	}
	return nil
}
