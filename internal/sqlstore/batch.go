package sqlstore

import (
	"context"
	"fmt"

	"github.com/ajudae/ajudae"
)

// Batch runs many use cases in one transaction: the same statements, the
// same validation and the same policy checks as the DB methods of the same
// name, without a commit per call. It exists for bulk loads (the benchmark
// dataset, imports); a failing call fails the whole batch. Every call of a
// batch carries the same timestamp.
type Batch struct{ tx *Tx }

// InBatch runs fn in one write transaction, committing when fn returns nil.
func (db *DB) InBatch(ctx context.Context, fn func(*Batch) error) error {
	return db.inTx(ctx, func(tx *Tx) error {
		return fn(&Batch{tx: tx})
	})
}

// CreateTicket is DB.CreateTicket within the batch.
func (b *Batch) CreateTicket(ctx context.Context, a *ajudae.Actor, nt ajudae.NewTicket) (*ajudae.Ticket, error) {
	if err := nt.Validate(); err != nil {
		return nil, err
	}
	t, _, err := b.tx.createTicket(ctx, a, nt)
	if err != nil {
		return nil, fmt.Errorf("create ticket: %w", err)
	}
	return t, nil
}

// CreateMessage is DB.CreateMessage within the batch.
func (b *Batch) CreateMessage(ctx context.Context, a *ajudae.Actor, ticketID int64, nm ajudae.NewMessage) (*ajudae.Message, error) {
	if err := nm.Validate(); err != nil {
		return nil, err
	}
	m, err := b.tx.createMessage(ctx, a, ticketID, nm)
	if err != nil {
		return nil, fmt.Errorf("post to ticket %d: %w", ticketID, err)
	}
	return m, nil
}

// UpdateTicket is DB.UpdateTicket within the batch.
func (b *Batch) UpdateTicket(ctx context.Context, a *ajudae.Actor, id int64, upd ajudae.TicketUpdate) (*ajudae.Ticket, error) {
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	t, err := b.tx.updateTicket(ctx, a, id, upd)
	if err != nil {
		return nil, fmt.Errorf("update ticket %d: %w", id, err)
	}
	return t, nil
}
