package web_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ajudae/ajudae/internal/apitest"
	"github.com/ajudae/ajudae/internal/dbtest"
)

// TestBrowserScenario is the scenario, each step asserting what
// the page shows: a requester registers, opens a ticket and sees it; the
// team admin redirects it; an attendant of the new team takes it, replies,
// adds an internal note the requester cannot see, and closes it; the
// requester reopens it by replying; the general admin creates a team and
// makes a member its admin. No request leaves the origin.
func TestBrowserScenario(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		shots := e.Name == "sqlite"
		mkt, prod := env.TeamID("Marketing"), env.TeamID("Produto")
		tereza := env.NewUser("Tereza Admin")
		env.AddMember(tereza, mkt, true)
		paulo := env.NewUser("Paulo Produto")
		env.AddMember(paulo, prod, false)

		// A requester registers, opens a ticket and sees it.
		req := newTab(t, env, "requester")
		req.visit("/register", "#name")
		req.fill("#name", "Rita Requerente")
		req.fill("#email", "rita@example.com")
		req.fill("#password", "senha-da-rita")
		req.click(`form[action="/register"] button[type=submit]`, "#ticket-results")
		if got := req.text(".alert-success"); !strings.Contains(got, "Bem-vindo") {
			t.Errorf("after registering the notice reads %q", got)
		}
		req.waitText("Você ainda não abriu chamados")
		req.click(`a.btn-primary[href="/tickets/new"]`, "#title")
		if shots {
			req.fill("#title", "Não consigo acessar o painel de campanhas")
			req.fill("#description", "Desde ontem o painel mostra \"erro 500\" ao abrir a aba de relatórios.")
			req.fill("#teamId", strconv.FormatInt(mkt, 10))
			req.screenshot("new-ticket")
		}
		req.fill("#title", "Não consigo acessar o painel")
		req.fill("#description", "Desde ontem o painel mostra <b>erro 500</b>.")
		req.fill("#teamId", strconv.FormatInt(mkt, 10))
		req.fill("#priority", "Alta")
		req.click(`form[action="/tickets/new"] button[type=submit]`, "#ticket")
		if got := req.text("h1"); !strings.Contains(got, "Não consigo acessar o painel") {
			t.Fatalf("ticket page h1 = %q", got)
		}
		id := strings.TrimPrefix(req.path(), "/tickets/")
		id = strings.SplitN(id, "?", 2)[0]
		if _, err := strconv.Atoi(id); err != nil {
			t.Fatalf("after creating, the tab is at %s", req.path())
		}
		req.waitAttr(".ticket-head [data-status]", "data-status", "Aberto")
		req.waitAttr(".ticket-head [data-priority]", "data-priority", "Alta")
		req.waitText("Desde ontem o painel mostra <b>erro 500</b>.") // escaped, shown as typed
		// A USER sees no staff controls.
		for _, sel := range []string{"#isInternal", "select#status", "#priority", "#assignedToId", "#redirect-team", `[data-action="take"]`} {
			if n := req.count(sel); n != 0 {
				t.Errorf("the requester sees the staff control %s", sel)
			}
		}
		if req.count(`[data-action="status-Fechado"]`) != 1 {
			t.Errorf("the requester has no close button")
		}
		req.visit("/tickets", "#ticket-"+id)
		if got := req.attr("#ticket-"+id, "data-status"); got != "Aberto" {
			t.Errorf("list row data-status = %q", got)
		}
		if got := req.attr("#ticket-"+id, "data-priority"); got != "Alta" {
			t.Errorf("list row data-priority = %q", got)
		}

		// The team admin of Marketing redirects it to Produto and loses sight of it.
		ta := newTab(t, env, "team admin")
		ta.login(tereza.User.Email, tereza.Password)
		ta.click(`#ticket-`+id+` a.ticket-title`, "#ticket")
		ta.fill("#redirect-team", strconv.FormatInt(prod, 10))
		ta.fill("#reason", "É um problema do produto")
		ta.click(`form[action$="/redirect"] button[type=submit]`, "#ticket-results")
		ta.waitText("não está mais na sua fila")
		if n := ta.count("#ticket-" + id); n != 0 {
			t.Errorf("the old team still lists the ticket")
		}
		if p := ta.path(); !strings.HasPrefix(p, "/tickets") || strings.HasPrefix(p, "/tickets/") {
			t.Errorf("after the redirect the team admin is at %s, want /tickets", p)
		}

		// An attendant of Produto takes it, replies, adds an internal note, closes it.
		at := newTab(t, env, "attendant")
		at.login(paulo.User.Email, paulo.Password)
		at.click(`#ticket-`+id+` a.ticket-title`, "#ticket")
		at.waitText("transferiu o chamado de Marketing para Produto")
		at.waitText("É um problema do produto")
		at.click(`[data-action="take"]`, `[data-action="release"]`)
		if got := at.text(`[data-field="assignee"]`); got != "Paulo Produto" {
			t.Errorf("assignee after taking = %q", got)
		}
		at.fill("#message", "Olá Rita, vamos verificar agora.")
		at.click(`#reply-form button[type=submit]`, ".msg:not(.msg-original) .msg-text")
		at.waitText("Olá Rita, vamos verificar agora.")
		at.fill("#message", "Nota: reiniciar o serviço de relatórios.")
		at.tick("#isInternal")
		at.click(`#reply-form button[type=submit]`, `.msg[data-internal="true"]`)
		at.waitText("Nota: reiniciar o serviço de relatórios.")
		at.fill("select#status", "Fechado")
		at.click(`select#status ~ button`, `.ticket-head [data-status="Fechado"]`)
		if shots {
			at.screenshot("ticket-staff")
		}

		// The requester sees the reply, not the note; its reply reopens the ticket.
		req.visit("/tickets/"+id, "#ticket")
		req.waitAttr(".ticket-head [data-status]", "data-status", "Fechado")
		text := req.pageText()
		if !strings.Contains(text, "Olá Rita, vamos verificar agora.") {
			t.Errorf("the requester does not see the public reply")
		}
		if strings.Contains(text, "reiniciar o serviço") || req.count(`[data-internal]`) != 0 {
			t.Errorf("the requester sees the internal note")
		}
		req.waitText("Sua resposta reabre este chamado.")
		req.fill("#message", "Ainda não funciona, desculpe.")
		req.click(`#reply-form button[type=submit]`, `.ticket-head [data-status="Aberto"]`)
		req.waitText("Ainda não funciona, desculpe.")
		req.waitText("Rita Requerente reabriu o chamado")

		// The general admin creates a team and makes a member its admin.
		adm := newTab(t, env, "admin")
		adm.login(apitest.AdminEmail, apitest.AdminPassword)
		adm.visit("/admin/teams", "#team-name")
		adm.fill("#team-name", "Suporte Técnico")
		adm.fill("#team-description", "Acesso, senhas e equipamentos")
		adm.click(`form[action="/admin/teams"] button[type=submit]`, "#member-email")
		if got := adm.text("h1"); got != "Suporte Técnico" {
			t.Errorf("new team page h1 = %q", got)
		}
		adm.fill("#member-email", paulo.User.Email)
		adm.click(`form[action$="/members"] button[type=submit]`, fmt.Sprintf("#member-%d", paulo.ID()))
		adm.click(fmt.Sprintf(`#member-%d form input[name=isAdmin][value=true] ~ button`, paulo.ID()),
			fmt.Sprintf(`#member-%d[data-admin="true"]`, paulo.ID()))
		adm.waitText("Membro atualizado.")
		adm.visit("/admin/teams", "#team-name")
		adm.waitText("Administrador: Paulo Produto")
		if shots {
			adm.screenshot("admin-teams")
		}

		// The staff's list, for the README.
		if shots {
			for i, title := range []string{"Erro ao emitir nota fiscal", "Pedido de novo notebook", "Dúvida sobre reembolso de viagem"} {
				env.Admin.Must(201, "POST", "/ticket", map[string]any{"title": title, "description": "Detalhes no anexo.",
					"teamId": prod, "priority": []string{"Baixa", "Média", "Alta"}[i]}, nil)
			}
			at.visit("/tickets", "#ticket-"+id)
			at.screenshot("ticket-list")
		}

		// Logout works: the session cookie no longer opens pages.
		req.click(`form[action="/logout"] button`, "#email")
		req.waitText("Você saiu.")
		req.visit("/tickets", "#email")
		if p := req.path(); !strings.HasPrefix(p, "/login") {
			t.Errorf("after logout /tickets shows %s", p)
		}

		for _, b := range []*tab{req, ta, at, adm} {
			b.assertSameOrigin()
		}
	})
}

// TestBrowserDocsOffline checks that /docs draws the operations with no
// request leaving the origin (issue 2).
func TestBrowserDocsOffline(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		b := newTab(t, env, "docs")
		b.visit("/docs", ".opblock")
		if n := b.count(".opblock"); n < 20 {
			t.Errorf("/docs shows %d operations, want the whole API", n)
		}
		b.waitText("/ticket/{id}/redirect")
		b.assertSameOrigin()
	})
}

// TestBrowserLanguage checks that English follows the browser's
// Accept-Language, that the footer switches to Portuguese, and that the
// logout button reads "Log out" and "Sair".
func TestBrowserLanguage(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, e dbtest.Engine) {
		env := apitest.New(t, e)
		u := env.NewUser("Ella English")
		b := newTabLang(t, env, "english", "en-US,en;q=0.9,pt;q=0.5")
		b.login(u.User.Email, u.Password)
		if got := b.attr("html", "lang"); got != "en" {
			t.Errorf("html lang = %q, want en", got)
		}
		if got := b.text(`form[action="/logout"] button`); got != "Log out" {
			t.Errorf("logout button = %q, want Log out", got)
		}
		b.waitText("You have not opened any ticket yet")
		b.click(`.langswitch button[value="pt-BR"]`, `html[lang="pt-BR"]`)
		if got := b.text(`form[action="/logout"] button`); got != "Sair" {
			t.Errorf("logout button = %q, want Sair", got)
		}
		if p := b.path(); p != "/tickets" {
			t.Errorf("after switching language the tab is at %s, want /tickets", p)
		}
	})
}
