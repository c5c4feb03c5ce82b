package sqlstore

import (
	"context"
	"fmt"

	"github.com/ajudae/ajudae"
)

// CreateAttachment stores a file on a ticket the caller sees (ENOTFOUND
// otherwise). The bytes go into the database, so every replica serves them.
func (db *DB) CreateAttachment(ctx context.Context, a *ajudae.Actor, ticketID int64, na ajudae.NewAttachment) (*ajudae.Attachment, error) {
	if err := na.Normalize(); err != nil {
		return nil, err
	}
	if _, err := db.FindTicket(ctx, a, ticketID); err != nil {
		return nil, fmt.Errorf("attach to ticket %d: %w", ticketID, err)
	}
	at := &ajudae.Attachment{Filename: na.Filename, ContentType: na.ContentType, Size: int64(len(na.Data)),
		TicketID: ticketID, UploaderID: a.UserID}
	err := db.inTx(ctx, func(tx *Tx) error {
		at.CreatedAt = tx.now
		return formatError(tx.queryRow(ctx, `INSERT INTO attachments (ticket_id, uploader_id, filename, content_type, size, data, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			ticketID, a.UserID, at.Filename, at.ContentType, at.Size, na.Data, tx.now).Scan(&at.ID))
	})
	if err != nil {
		return nil, fmt.Errorf("attach to ticket %d: %w", ticketID, err)
	}
	return at, nil
}

const attachmentColumns = `a.id, a.ticket_id, a.uploader_id, a.filename, a.content_type, a.size, a.created_at`

func scanAttachment(r scanner, at *ajudae.Attachment) error {
	return r.Scan(&at.ID, &at.TicketID, &at.UploaderID, &at.Filename, &at.ContentType, &at.Size, &at.CreatedAt)
}

// FindAttachments lists the files of a ticket the caller sees, oldest first.
func (db *DB) FindAttachments(ctx context.Context, a *ajudae.Actor, ticketID int64, page ajudae.Page) (*ajudae.List[ajudae.Attachment], error) {
	after, err := idCursor(&page, "attachments")
	if err != nil {
		return nil, err
	}
	if _, err := db.FindTicket(ctx, a, ticketID); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+attachmentColumns+` FROM attachments a
		WHERE a.ticket_id = ? AND a.id > ? ORDER BY a.id LIMIT ?`, ticketID, after, page.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("find attachments: %w", err)
	}
	return collect(rows, page, "attachments", func(at *ajudae.Attachment) int64 { return at.ID }, scanAttachment)
}

// OpenAttachment returns a file and its bytes when the caller sees its
// ticket; any other is ENOTFOUND.
func (db *DB) OpenAttachment(ctx context.Context, a *ajudae.Actor, id int64) (*ajudae.Attachment, []byte, error) {
	var (
		at   ajudae.Attachment
		t    ajudae.Ticket
		data []byte
	)
	err := db.queryRow(ctx, `SELECT `+attachmentColumns+`, t.team_id, t.created_by, a.data
		FROM attachments a JOIN tickets t ON t.id = a.ticket_id WHERE a.id = ?`, id).Scan(
		&at.ID, &at.TicketID, &at.UploaderID, &at.Filename, &at.ContentType, &at.Size, &at.CreatedAt,
		&t.Team.ID, &t.CreatedBy.ID, &data)
	if err != nil {
		return nil, nil, fmt.Errorf("open attachment %d: %w", id, noRows(err, "Attachment"))
	}
	if !ajudae.CanSeeTicket(a, &t) {
		return nil, nil, notFound("Attachment")
	}
	return &at, data, nil
}
