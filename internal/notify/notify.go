// Package notify sends Ajudaê's e-mail notifications through a durable job
// queue (River) on the application's own database, on both engines.
//
// The flow: a change writes its ticket_events row, and a trigger queues it
// in event_outbox within the same statement (no extra round trip for the
// request). The outbox pump of every replica drains committed outbox rows
// into River jobs, one per recipient, in one transaction
// (sqlstore.DrainOutbox; SKIP LOCKED on PostgreSQL). River's workers send
// the mail over SMTP and retry with backoff while the server is down; with
// no SMTP configured each job completes with the output {"skipped": …}, so
// nothing is lost and the record says why nothing was sent.
package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/wneessen/go-mail"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/sqlstore"
)

// SMTP is the mail server. An empty Host disables sending: jobs are
// recorded as skipped.
type SMTP struct {
	Host     string
	Port     int    // default 587 (25 with TLS none, 465 with TLS tls)
	Username string // empty: no authentication
	Password string
	From     string // the sender address, e.g. "Ajudaê <ajudae@example.com>"
	TLS      string // starttls (default, required), tls (implicit, port 465) or none
}

// Validate returns an error for settings that cannot work.
func (s SMTP) Validate() error {
	if s.Host == "" {
		return nil
	}
	switch s.TLS {
	case "", "starttls", "tls", "none":
	default:
		return fmt.Errorf("SMTP TLS %q: want starttls, tls or none", s.TLS)
	}
	if s.From == "" {
		return errors.New("SMTP is configured without a sender address (AJUDAE_SMTP_FROM)")
	}
	if err := mail.NewMsg().From(s.From); err != nil {
		return fmt.Errorf("SMTP sender %q: %w", s.From, err)
	}
	return nil
}

// Options configure a Notifier; zero values are the defaults.
type Options struct {
	SMTP SMTP
	// BaseURL is the public address of the server, for links in the mail
	// (e.g. https://ajuda.example.com); empty leaves links out.
	BaseURL string
	// Poll is how often the outbox is checked and River fetches jobs
	// (default 1 s).
	Poll time.Duration
	// Retry decides when a failed mail is tried again (default River's:
	// attempt⁴ seconds, 25 attempts, about three weeks).
	Retry river.ClientRetryPolicy
	// Observe, when set, is told the outcome of every job: sent, skipped or failed.
	Observe func(outcome string)
	Log     *slog.Logger
}

// Notifier runs the outbox pump and the mail workers.
type Notifier struct {
	store  *sqlstore.DB
	opts   Options
	log    *slog.Logger
	client *river.Client[*sql.Tx]
}

// MailArgs is one e-mail to send: a River job.
type MailArgs struct {
	EventID int64  `json:"eventId"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Kind names the job in River's table.
func (MailArgs) Kind() string { return "ajudae_mail" }

// New returns a Notifier on store; Run starts it.
func New(store *sqlstore.DB, opts Options) (*Notifier, error) {
	if err := opts.SMTP.Validate(); err != nil {
		return nil, err
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Observe == nil {
		opts.Observe = func(string) {}
	}
	n := &Notifier{store: store, opts: opts, log: opts.Log}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &mailWorker{n: n}); err != nil {
		return nil, err
	}
	client, err := river.NewClient(store.JobDriver(), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:           workers,
		Logger:            opts.Log,
		FetchPollInterval: opts.Poll,
		FetchCooldown:     min(opts.Poll, 100*time.Millisecond),
		RetryPolicy:       opts.Retry,
		JobTimeout:        time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	n.client = client
	return n, nil
}

// Jobs returns the River client (tests and operators look at the jobs).
func (n *Notifier) Jobs() *river.Client[*sql.Tx] { return n.client }

// Run works the queue and pumps the outbox until ctx ends, then stops the
// workers, letting a mail being sent finish (up to 10 s).
func (n *Notifier) Run(ctx context.Context) error {
	if err := n.client.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := n.client.Stop(stopCtx); err != nil {
			n.log.Warn("job queue stop", "err", err)
		}
	}()
	tick := time.NewTicker(n.opts.Poll)
	defer tick.Stop()
	for {
		n.pump(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// pump drains the outbox while it holds events.
func (n *Notifier) pump(ctx context.Context) {
	for ctx.Err() == nil {
		pending, err := n.store.OutboxPending(ctx)
		if err != nil || !pending {
			if err != nil && ctx.Err() == nil {
				n.log.WarnContext(ctx, "outbox", "err", err)
			}
			return
		}
		took, err := n.store.DrainOutbox(ctx, 100, n.enqueue)
		if err != nil {
			if ctx.Err() == nil {
				n.log.WarnContext(ctx, "outbox", "err", err)
			}
			return
		}
		if took == 0 { // rows locked by another replica
			return
		}
	}
}

func (n *Notifier) enqueue(ctx context.Context, tx *sql.Tx, notices []ajudae.Notice) error {
	var params []river.InsertManyParams
	for _, nt := range notices {
		subject, body := compose(nt, n.opts.BaseURL)
		for _, r := range nt.To {
			params = append(params, river.InsertManyParams{Args: MailArgs{
				EventID: nt.Change.ID, To: r.Email, Subject: subject, Body: "Olá, " + r.Name + ".\n\n" + body,
			}})
		}
	}
	_, err := n.client.InsertManyFastTx(ctx, tx, params)
	return err
}

// compose writes the subject and body of a notice (pt-BR, plain text).
func compose(nt ajudae.Notice, baseURL string) (subject, body string) {
	c := nt.Change
	ref := "#" + strconv.FormatInt(c.TicketID, 10)
	actor := "Alguém"
	if c.Actor != nil {
		actor = c.Actor.Name
	}
	var b strings.Builder
	switch c.Type {
	case ajudae.EventCreated:
		subject = fmt.Sprintf("[Ajudaê] Novo chamado %s: %s", ref, nt.Title)
		fmt.Fprintf(&b, "%s abriu o chamado %s para a equipe %s:\n\n%s\n", actor, ref, nt.Team, nt.Title)
	case ajudae.EventRedirected:
		subject = fmt.Sprintf("[Ajudaê] Chamado %s redirecionado para %s: %s", ref, nt.Team, nt.Title)
		var rd ajudae.RedirectData
		jsonUnmarshal(c.Data, &rd)
		fmt.Fprintf(&b, "%s redirecionou o chamado %s (%s) de %s para a equipe %s.\n", actor, ref, nt.Title, rd.FromTeam.Name, nt.Team)
		if rd.Reason != "" {
			fmt.Fprintf(&b, "\nMotivo: %s\n", rd.Reason)
		}
	case ajudae.EventMessageAdded:
		subject = fmt.Sprintf("[Ajudaê] Nova resposta no chamado %s: %s", ref, nt.Title)
		fmt.Fprintf(&b, "%s respondeu ao seu chamado %s (%s):\n\n%s\n", actor, ref, nt.Title, nt.Message)
	case ajudae.EventReopened:
		subject = fmt.Sprintf("[Ajudaê] Chamado %s reaberto: %s", ref, nt.Title)
		fmt.Fprintf(&b, "%s reabriu o seu chamado %s (%s).\n", actor, ref, nt.Title)
	default: // status_changed
		var ch ajudae.Change[ajudae.Status]
		jsonUnmarshal(c.Data, &ch)
		subject = fmt.Sprintf("[Ajudaê] Chamado %s agora está %s: %s", ref, ch.To, nt.Title)
		fmt.Fprintf(&b, "%s mudou o status do seu chamado %s (%s) de %s para %s.\n", actor, ref, nt.Title, ch.From, ch.To)
	}
	if baseURL != "" {
		fmt.Fprintf(&b, "\n%s/tickets/%d\n", strings.TrimSuffix(baseURL, "/"), c.TicketID)
	}
	return subject, b.String()
}

// mailWorker sends one MailArgs.
type mailWorker struct {
	river.WorkerDefaults[MailArgs]
	n *Notifier
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[MailArgs]) error {
	s := w.n.opts.SMTP
	if s.Host == "" {
		w.n.opts.Observe("skipped")
		return river.RecordOutput(ctx, map[string]string{"skipped": "no SMTP server configured (AJUDAE_SMTP_HOST)"})
	}
	if err := send(ctx, s, job.Args); err != nil {
		w.n.opts.Observe("failed")
		w.n.log.WarnContext(ctx, "mail not sent; it will be retried", "job", job.ID, "attempt", job.Attempt, "err", err)
		return err
	}
	w.n.opts.Observe("sent")
	return river.RecordOutput(ctx, map[string]string{"sent": time.Now().UTC().Format(time.RFC3339)})
}

// send delivers one message over SMTP.
func send(ctx context.Context, s SMTP, a MailArgs) error {
	m := mail.NewMsg()
	if err := m.From(s.From); err != nil {
		return err
	}
	if err := m.To(a.To); err != nil {
		// A bad address will not get better: give up at once.
		return river.JobCancel(fmt.Errorf("recipient %q: %w", a.To, err))
	}
	m.Subject(a.Subject)
	m.SetBodyString(mail.TypeTextPlain, a.Body)
	opts := []mail.Option{mail.WithTimeout(30 * time.Second)}
	port := s.Port
	switch s.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
		port = cmpOr(port, 25)
	case "tls":
		opts = append(opts, mail.WithSSL())
		port = cmpOr(port, 465)
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
		port = cmpOr(port, 587)
	}
	opts = append(opts, mail.WithPort(port))
	if s.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, m)
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func jsonUnmarshal(b []byte, v any) { _ = json.Unmarshal(b, v) }
