package notify_test

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ajudae/ajudae"
	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
	"github.com/ajudae/ajudae/internal/notify"
)

// quickRetry retries a failed mail after 100 ms (River's scheduler then
// makes it available within its interval).
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(100 * time.Millisecond)
}

type cast struct {
	env                                         *apitest.Env
	admin, teamAdmin, member, otherAtt, creator *apitest.Client
	mkt, prod                                   int64
}

func newCast(t *testing.T, e dbtest.Engine) *cast {
	t.Helper()
	env := apitest.New(t, e)
	c := &cast{env: env, admin: env.Admin}
	c.mkt, c.prod = env.TeamID("Marketing"), env.TeamID("Produto")
	add := env.AddMember
	c.teamAdmin = add(env.NewUser("Tereza Admin"), c.mkt, true)
	c.member = add(env.NewUser("Mário Membro"), c.mkt, false)
	c.otherAtt = add(env.NewUser("Otávio Outro"), c.prod, false)
	c.creator = env.NewUser("Cris Cliente")
	return c
}

// start runs a Notifier for the test.
func start(t *testing.T, env *apitest.Env, smtp notify.SMTP) *notify.Notifier {
	t.Helper()
	n, err := notify.New(env.Store, notify.Options{SMTP: smtp, Poll: 50 * time.Millisecond, Retry: quickRetry{}, BaseURL: "https://ajuda.test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return n
}

// settle waits until the outbox is empty and no job is waiting or running
// (bounded: 60 s is a hung test, not a speed assertion).
func settle(t *testing.T, env *apitest.Env, n *notify.Notifier) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		pending, err := env.Store.OutboxPending(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		res, err := n.Jobs().JobList(t.Context(), river.NewJobListParams().States(rivertype.JobStateAvailable,
			rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled, rivertype.JobStatePending))
		if err != nil {
			t.Fatal(err)
		}
		if !pending && len(res.Jobs) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the mail queue did not settle within 60 s")
}

func smtpTo(m *mailbox) notify.SMTP {
	host, port, _ := net.SplitHostPort(m.addr())
	var p int
	fmt.Sscan(port, &p)
	return notify.SMTP{Host: host, Port: p, From: "Ajudaê <ajudae@ajuda.test>", TLS: "none"}
}

// subjects returns "to: subject" of every message, sorted.
func subjects(t *testing.T, msgs []received) []string {
	t.Helper()
	var out []string
	dec := new(mime.WordDecoder)
	for _, m := range msgs {
		msg, err := mail.ReadMessage(strings.NewReader(m.Data))
		if err != nil {
			t.Fatalf("message to %s: %v", m.To, err)
		}
		subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("subject %q: %v", msg.Header.Get("Subject"), err)
		}
		out = append(out, m.To+": "+subj)
	}
	slices.Sort(out)
	return out
}

// TestMailNotifications: the team hears of a new and a redirected ticket,
// the requester of a staff reply and of status changes; nobody of an
// internal note or of their own action. Every mail goes through a real
// SMTP conversation.
func TestMailNotifications(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		c := newCast(t, e)
		box := startMailbox(t, "127.0.0.1:0")
		n := start(t, c.env, smtpTo(box))

		var tk ajudae.Ticket
		c.creator.Must(201, "POST", "/ticket", map[string]any{"title": "Impressora", "description": "não imprime", "teamId": c.mkt}, &tk)
		p := fmt.Sprintf("/ticket/%d", tk.ID)
		c.member.Must(201, "POST", p+"/messages", map[string]any{"message": "só entre nós", "isInternal": true}, nil)
		c.member.Must(201, "POST", p+"/messages", map[string]any{"message": "Já reiniciou a impressora?"}, nil)
		c.creator.Must(201, "POST", p+"/messages", map[string]any{"message": "Sim, duas vezes."}, nil)
		c.member.Must(200, "PATCH", p, map[string]any{"status": "Em_andamento"}, nil)
		c.teamAdmin.Must(200, "POST", p+"/redirect", map[string]any{"teamId": c.prod, "reason": "é hardware"}, nil)
		settle(t, c.env, n)

		id := fmt.Sprint(tk.ID)
		want := []string{
			c.creator.User.Email + ": [Ajudaê] Chamado #" + id + " agora está Em_andamento: Impressora",
			c.creator.User.Email + ": [Ajudaê] Nova resposta no chamado #" + id + ": Impressora",
			c.member.User.Email + ": [Ajudaê] Novo chamado #" + id + ": Impressora",
			c.otherAtt.User.Email + ": [Ajudaê] Chamado #" + id + " redirecionado para Produto: Impressora",
			c.teamAdmin.User.Email + ": [Ajudaê] Novo chamado #" + id + ": Impressora",
		}
		slices.Sort(want)
		got := subjects(t, box.received())
		if !slices.Equal(got, want) {
			t.Fatalf("mails:\n got %q\nwant %q", got, want)
		}
		for _, m := range box.received() {
			if strings.Contains(m.Data, "só entre nós") {
				t.Errorf("an internal note was mailed to %s", m.To)
			}
			if m.To == c.creator.User.Email && strings.Contains(m.Data, "Nova resposta") &&
				(!strings.Contains(m.Data, "reiniciou a impressora") || !strings.Contains(m.Data, "https://ajuda.test/tickets/"+id)) {
				t.Errorf("the reply mail lacks the reply or the link:\n%s", m.Data)
			}
		}
	})
}

// TestMailSkippedWithoutSMTP: with no SMTP server configured the jobs are
// kept, completed with a note that nothing was sent.
func TestMailSkippedWithoutSMTP(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		c := newCast(t, e)
		n := start(t, c.env, notify.SMTP{})
		c.creator.Must(201, "POST", "/ticket", map[string]any{"title": "Sem SMTP", "description": "d", "teamId": c.mkt}, nil)
		settle(t, c.env, n)
		res, err := n.Jobs().JobList(t.Context(), river.NewJobListParams().States(rivertype.JobStateCompleted))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Jobs) != 2 {
			t.Fatalf("%d completed jobs, want 2 (the team's two members)", len(res.Jobs))
		}
		for _, j := range res.Jobs {
			if !strings.Contains(string(j.Output()), "skipped") {
				t.Errorf("job %d output %s, want skipped", j.ID, j.Output())
			}
		}
	})
}

// TestMailRetriesWhileSMTPDown: while the SMTP server is down the jobs fail
// and wait; once it is up, every mail is delivered exactly once.
func TestMailRetriesWhileSMTPDown(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		c := newCast(t, e)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now: connections are refused
		host, port, _ := net.SplitHostPort(addr)
		var p int
		fmt.Sscan(port, &p)
		n := start(t, c.env, notify.SMTP{Host: host, Port: p, From: "ajudae@ajuda.test", TLS: "none"})

		var tk ajudae.Ticket
		c.creator.Must(201, "POST", "/ticket", map[string]any{"title": "Fora do ar", "description": "d", "teamId": c.mkt}, &tk)
		deadline := time.Now().Add(60 * time.Second)
		for {
			res, err := n.Jobs().JobList(t.Context(), river.NewJobListParams().States(rivertype.JobStateRetryable, rivertype.JobStateAvailable))
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			for _, j := range res.Jobs {
				if len(j.Errors) > 0 {
					failed++
				}
			}
			if failed == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the jobs did not fail against a closed port (%d jobs)", len(res.Jobs))
			}
			time.Sleep(50 * time.Millisecond)
		}
		box := startMailbox(t, addr)
		settle(t, c.env, n)
		got := subjects(t, box.received())
		id := fmt.Sprint(tk.ID)
		want := []string{
			c.member.User.Email + ": [Ajudaê] Novo chamado #" + id + ": Fora do ar",
			c.teamAdmin.User.Email + ": [Ajudaê] Novo chamado #" + id + ": Fora do ar",
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("after the server came back:\n got %q\nwant %q", got, want)
		}
	})
}
