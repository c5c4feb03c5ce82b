package notify_test

import (
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// mailbox is a tiny SMTP server for tests: it speaks enough of RFC 5321
// (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) on loopback for a real client
// to deliver, and keeps what it received.
type mailbox struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []received
	wg   sync.WaitGroup
}

type received struct {
	From, To string
	Data     string
}

// startMailbox listens on addr ("127.0.0.1:0" for any port) until the test ends.
func startMailbox(t *testing.T, addr string) *mailbox {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	m := &mailbox{ln: ln}
	m.wg.Add(1)
	go m.serve()
	t.Cleanup(m.close)
	return m
}

func (m *mailbox) addr() string { return m.ln.Addr().String() }

func (m *mailbox) close() {
	m.ln.Close()
	m.wg.Wait()
}

func (m *mailbox) serve() {
	defer m.wg.Done()
	for {
		c, err := m.ln.Accept()
		if err != nil {
			return
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			defer c.Close()
			m.session(textproto.NewConn(c))
		}()
	}
}

func (m *mailbox) session(tp *textproto.Conn) {
	tp.PrintfLine("220 mailbox.test ESMTP")
	var cur received
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			tp.PrintfLine("250-mailbox.test")
			tp.PrintfLine("250-8BITMIME")
			tp.PrintfLine("250 SMTPUTF8")
		case "MAIL":
			cur = received{From: strings.TrimPrefix(line, "MAIL FROM:")}
			tp.PrintfLine("250 OK")
		case "RCPT":
			cur.To = strings.Trim(strings.Fields(strings.TrimPrefix(line, "RCPT TO:"))[0], "<>")
			tp.PrintfLine("250 OK")
		case "DATA":
			tp.PrintfLine("354 go ahead")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = string(b)
			m.mu.Lock()
			m.msgs = append(m.msgs, cur)
			m.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "RSET", "NOOP":
			tp.PrintfLine("250 OK")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

func (m *mailbox) received() []received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]received(nil), m.msgs...)
}
