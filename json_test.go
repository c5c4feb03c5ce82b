package ajudae

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// encodingJSON is what the API wrote before AppendJSON: encoding/json
// without HTML escaping, newline removed.
func encodingJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func sampleTickets() []Ticket {
	closed := time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)
	var all []byte
	for c := 0; c < 256; c++ {
		all = append(all, byte(c))
	}
	return []Ticket{
		{ID: 1, Title: "Não consigo acessar a aplicação", Description: "Linha 1\r\nLinha 2\t<b>&</b> \"aspas\" \\ 🙂",
			Status: StatusOpen, Priority: PriorityMedium, Team: Ref{ID: 2, Name: "Produto"}, CreatedBy: Ref{ID: 7, Name: "Ana"},
			CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 600000, time.UTC), Version: 1},
		{ID: 1 << 40, Title: string(all), Description: "sep\u2028ara\u2029dor \x00 \x7f \xff\xfe inválido",
			Status: StatusClosed, Priority: PriorityHigh, Team: Ref{ID: 3, Name: "Financeiro"}, CreatedBy: Ref{ID: 8, Name: RemovedUserName},
			AssignedTo: &Ref{ID: 9, Name: "Atendente \"9\""}, CreatedAt: closed.Add(-time.Hour), UpdatedAt: closed, ClosedAt: &closed, Version: 42},
		{},
	}
}

func TestTicketAppendJSONIsEncodingJSON(t *testing.T) {
	for i, tk := range sampleTickets() {
		got, want := tk.AppendJSON(nil), encodingJSON(t, &tk)
		if !bytes.Equal(got, want) {
			t.Errorf("ticket %d:\n got %s\nwant %s", i, got, want)
		}
	}
	cursor := "eyJzIjoiLWNyZWF0ZWRBdCJ9"
	for _, l := range []*List[Ticket]{
		{Items: sampleTickets(), NextCursor: &cursor},
		{Items: []Ticket{}},
		{},
	} {
		got, want := AppendTicketsJSON(nil, l), encodingJSON(t, l)
		if !bytes.Equal(got, want) {
			t.Errorf("list:\n got %s\nwant %s", got, want)
		}
	}
}

func benchPage() *List[Ticket] {
	l := &List[Ticket]{}
	base := sampleTickets()[0]
	for i := range 50 {
		tk := base
		tk.ID = int64(i + 1)
		l.Items = append(l.Items, tk)
	}
	return l
}

// BenchmarkTicketPageJSON encodes a page of 50 tickets (W2's answer).
func BenchmarkTicketPageJSON(b *testing.B) {
	l := benchPage()
	b.Run("AppendJSON", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf = AppendTicketsJSON(buf[:0], l)
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("encoding/json", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.Encode(l)
		}
		b.SetBytes(int64(buf.Len()))
	})
}

// BenchmarkTicketJSON encodes one ticket (W3's answer).
func BenchmarkTicketJSON(b *testing.B) {
	tk := sampleTickets()[1]
	var buf []byte
	for b.Loop() {
		buf = tk.AppendJSON(buf[:0])
	}
}
