package web

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Languages of the UI: Brazilian Portuguese by default, English when the
// browser prefers it or the user picks it.
const (
	langPT = "pt-BR"
	langEN = "en"
)

// pickLang chooses the language: the lang cookie, then the first of the
// browser's Accept-Language preferences that we speak.
func pickLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		switch c.Value {
		case langEN:
			return langEN
		case langPT:
			return langPT
		}
	}
	type pref struct {
		tag string
		q   float64
	}
	var prefs []pref
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if tag != "" && q > 0 {
			prefs = append(prefs, pref{strings.ToLower(tag), q})
		}
	}
	sort.SliceStable(prefs, func(i, j int) bool { return prefs[i].q > prefs[j].q })
	for _, p := range prefs {
		switch {
		case p.tag == "en" || strings.HasPrefix(p.tag, "en-"):
			return langEN
		case p.tag == "pt" || strings.HasPrefix(p.tag, "pt-"):
			return langPT
		}
	}
	return langPT
}

// translate returns the text of key in lang, formatted with args; an
// unknown key is returned as is (a test checks that none is missing).
func translate(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == langEN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// translateServer puts a message of the domain or the store (written in
// English, for the API) into lang.
func translateServer(lang, msg string) string {
	if lang == langEN {
		return msg
	}
	if pt, ok := serverPT[msg]; ok {
		return pt
	}
	for _, p := range serverPatterns {
		if p.re.MatchString(msg) {
			return p.re.ReplaceAllString(msg, p.pt)
		}
	}
	return msg
}

// messages is the UI's one message catalogue: key → {pt-BR, en}.
var messages = map[string][2]string{
	// Navigation and frame.
	"nav.skip":        {"Pular para o conteúdo", "Skip to content"},
	"nav.label":       {"Navegação principal", "Main navigation"},
	"nav.tickets":     {"Chamados", "Tickets"},
	"nav.new":         {"Novo chamado", "New ticket"},
	"nav.myteam":      {"Minha equipe", "My team"},
	"nav.teams":       {"Equipes", "Teams"},
	"nav.users":       {"Usuários", "Users"},
	"nav.account":     {"Minha conta", "My account"},
	"nav.logout":      {"Sair", "Log out"},
	"nav.login":       {"Entrar", "Log in"},
	"nav.register":    {"Criar conta", "Sign up"},
	"footer.tagline":  {"atendimento simples para equipes", "simple help-desk for teams"},
	"footer.language": {"Idioma", "Language"},
	"footer.api":      {"Documentação da API", "API documentation"},

	// Fields.
	"field.email":       {"E-mail", "E-mail"},
	"field.password":    {"Senha", "Password"},
	"field.name":        {"Nome", "Name"},
	"field.title":       {"Assunto", "Subject"},
	"field.description": {"Descrição", "Description"},
	"field.status":      {"Status", "Status"},
	"field.priority":    {"Prioridade", "Priority"},
	"field.team":        {"Equipe", "Team"},
	"field.teamname":    {"Nome da equipe", "Team name"},
	"field.assignee":    {"Responsável", "Assignee"},
	"field.role":        {"Papel", "Role"},
	"field.optional":    {"opcional", "optional"},

	// Enums.
	"status.Aberto":       {"Aberto", "Open"},
	"status.Em_andamento": {"Em andamento", "In progress"},
	"status.Fechado":      {"Fechado", "Closed"},
	"priority.Baixa":      {"Baixa", "Low"},
	"priority.Média":      {"Média", "Medium"},
	"priority.Alta":       {"Alta", "High"},
	"role.ADMIN":          {"Administrador geral", "General administrator"},
	"role.ATTENDANT":      {"Atendente", "Attendant"},
	"role.USER":           {"Solicitante", "Requester"},

	// Actions.
	"action.save":     {"Salvar", "Save"},
	"action.cancel":   {"Cancelar", "Cancel"},
	"action.delete":   {"Excluir", "Delete"},
	"action.close":    {"Fechar chamado", "Close ticket"},
	"action.reopen":   {"Reabrir chamado", "Reopen ticket"},
	"action.take":     {"Assumir chamado", "Take ticket"},
	"action.release":  {"Devolver à fila", "Release ticket"},
	"action.redirect": {"Transferir", "Redirect"},

	// Login and registration.
	"login.title":           {"Entrar no Ajudaê", "Log in to Ajudaê"},
	"login.subtitle":        {"Acompanhe seus chamados e fale com as equipes.", "Follow your tickets and talk to the teams."},
	"login.submit":          {"Entrar", "Log in"},
	"login.noaccount":       {"Ainda não tem conta?", "No account yet?"},
	"login.register":        {"Crie uma agora", "Create one now"},
	"register.title":        {"Criar sua conta", "Create your account"},
	"register.subtitle":     {"Leva menos de um minuto. Depois é só abrir seu chamado.", "It takes less than a minute; then open your ticket."},
	"register.passwordhint": {"De 8 a 128 caracteres.", "8 to 128 characters."},
	"register.submit":       {"Criar conta", "Sign up"},
	"register.haveaccount":  {"Já tem conta?", "Already have an account?"},
	"register.login":        {"Entrar", "Log in"},

	// Ticket list.
	"tickets.title":               {"Chamados", "Tickets"},
	"tickets.subtitle.user":       {"Os chamados que você abriu.", "The tickets you opened."},
	"tickets.subtitle.staff":      {"A fila das suas equipes e os chamados que você abriu.", "Your teams' queue and the tickets you opened."},
	"tickets.new":                 {"Novo chamado", "New ticket"},
	"tickets.results":             {"Resultados", "Results"},
	"tickets.bystatus":            {"Chamados por status", "Tickets by status"},
	"tickets.by":                  {"por %s", "by %s"},
	"tickets.empty.user":          {"Você ainda não abriu chamados", "You have not opened any ticket yet"},
	"tickets.empty.user.hint":     {"Conte o que aconteceu e a equipe certa responde por aqui.", "Tell us what happened and the right team answers here."},
	"tickets.empty.staff":         {"Fila vazia", "The queue is empty"},
	"tickets.empty.staff.hint":    {"Nenhum chamado para as suas equipes agora.", "No tickets for your teams right now."},
	"tickets.empty.filtered":      {"Nenhum chamado encontrado", "No tickets found"},
	"tickets.empty.filtered.hint": {"Tente outra busca ou limpe os filtros.", "Try another search or clear the filters."},
	"filters.label":               {"Filtrar chamados", "Filter tickets"},
	"filters.q":                   {"Buscar", "Search"},
	"filters.q.placeholder":       {"Assunto, descrição ou mensagem", "Subject, description or message"},
	"filters.all":                 {"Todos", "All"},
	"filters.all.f":               {"Todas", "All"},
	"filters.anyone":              {"Qualquer um", "Anyone"},
	"filters.me":                  {"Atribuídos a mim", "Assigned to me"},
	"filters.none":                {"Sem responsável", "Unassigned"},
	"filters.apply":               {"Filtrar", "Filter"},
	"filters.clear":               {"Limpar filtros", "Clear filters"},
	"pager.label":                 {"Páginas", "Pages"},
	"pager.first":                 {"Primeira página", "First page"},
	"pager.next":                  {"Próxima página", "Next page"},

	// New ticket.
	"new.title":                   {"Abrir chamado", "Open a ticket"},
	"new.subtitle":                {"Escolha o departamento e descreva o que precisa.", "Pick the department and describe what you need."},
	"new.title.placeholder":       {"Ex.: Não consigo acessar o sistema", "E.g. I cannot sign in to the system"},
	"new.team":                    {"Departamento", "Department"},
	"new.team.choose":             {"Escolha uma equipe", "Choose a team"},
	"new.team.hint":               {"Se escolher errado, a equipe transfere para a certa.", "If you pick the wrong one, the team redirects it."},
	"new.noteams":                 {"Não há equipes ainda.", "There are no teams yet."},
	"new.description.placeholder": {"O que aconteceu? Desde quando? O que você já tentou?", "What happened? Since when? What have you tried?"},
	"new.submit":                  {"Abrir chamado", "Open ticket"},

	// Ticket page.
	"ticket.conversation":       {"Conversa", "Conversation"},
	"ticket.opened":             {"abriu o chamado", "opened the ticket"},
	"ticket.internal":           {"Nota interna", "Internal note"},
	"ticket.internal.option":    {"Nota interna (só a equipe vê)", "Internal note (only the team sees it)"},
	"ticket.reply":              {"Responder", "Reply"},
	"ticket.reply.placeholder":  {"Escreva sua mensagem…", "Write your message…"},
	"ticket.reply.reopens":      {"Sua resposta reabre este chamado.", "Your reply reopens this ticket."},
	"ticket.send":               {"Enviar", "Send"},
	"ticket.edit":               {"Editar assunto e descrição", "Edit subject and description"},
	"ticket.details":            {"Detalhes", "Details"},
	"ticket.requester":          {"Solicitante", "Requester"},
	"ticket.unassigned":         {"Sem responsável", "Unassigned"},
	"ticket.nobody":             {"Ninguém", "Nobody"},
	"ticket.created":            {"Aberto em", "Opened"},
	"ticket.updated":            {"Atualizado em", "Updated"},
	"ticket.closed":             {"Fechado em", "Closed"},
	"ticket.actions":            {"Ações", "Actions"},
	"ticket.redirect":           {"Transferir para outra equipe", "Redirect to another team"},
	"ticket.redirect.hint":      {"O chamado sai da fila desta equipe e perde o responsável.", "The ticket leaves this team's queue and loses its assignee."},
	"ticket.redirect.to":        {"Nova equipe", "New team"},
	"ticket.reason":             {"Motivo", "Reason"},
	"ticket.reason.placeholder": {"Opcional", "Optional"},
	"event.system":              {"Sistema", "System"},
	"event.created":             {"%s abriu o chamado", "%s opened the ticket"},
	"event.reopened":            {"%s reabriu o chamado", "%s reopened the ticket"},
	"event.edited":              {"%s editou o chamado", "%s edited the ticket"},
	"event.status":              {"%s mudou o status de %s para %s", "%s changed the status from %s to %s"},
	"event.priority":            {"%s mudou a prioridade de %s para %s", "%s changed the priority from %s to %s"},
	"event.took":                {"%s assumiu o chamado", "%s took the ticket"},
	"event.assigned":            {"%s atribuiu o chamado a %s", "%s assigned the ticket to %s"},
	"event.unassigned":          {"%s retirou %s do chamado", "%s unassigned %s"},
	"event.redirected":          {"%s transferiu o chamado de %s para %s", "%s redirected the ticket from %s to %s"},

	// Teams.
	"teams.title":         {"Equipes", "Teams"},
	"teams.subtitle":      {"Crie departamentos, renomeie e escolha quem os administra.", "Create departments, rename them and choose who runs them."},
	"teams.create":        {"Nova equipe", "New team"},
	"teams.create.submit": {"Criar equipe", "Create team"},
	"teams.list":          {"Todas as equipes", "All teams"},
	"teams.members":       {"%d membros", "%d members"},
	"teams.members.one":   {"%d membro", "%d member"},
	"teams.open":          {"%d chamados em aberto", "%d open tickets"},
	"teams.open.one":      {"%d chamado em aberto", "%d open ticket"},
	"teams.admin":         {"Administrador", "Administrator"},
	"teams.noadmin":       {"nenhum", "none"},
	"teams.nodescription": {"Sem descrição.", "No description."},
	"teams.manage":        {"Membros", "Members"},
	"teams.delete.label":  {"Excluir a equipe %s", "Delete team %s"},
	"teams.empty":         {"Nenhuma equipe ainda", "No teams yet"},
	"team.tickets":        {"Chamados da equipe (%d em aberto)", "Team tickets (%d open)"},
	"team.members":        {"Membros", "Members"},
	"team.nomembers":      {"Esta equipe ainda não tem membros", "This team has no members yet"},
	"team.admin":          {"Administrador da equipe", "Team administrator"},
	"team.promote":        {"Tornar administrador", "Make administrator"},
	"team.promote.label":  {"Tornar %s administrador da equipe", "Make %s the team's administrator"},
	"team.demote":         {"Retirar administração", "Remove as administrator"},
	"team.demote.label":   {"Retirar %s da administração da equipe", "Remove %s as the team's administrator"},
	"team.remove":         {"Remover", "Remove"},
	"team.remove.label":   {"Remover %s da equipe", "Remove %s from the team"},
	"team.add":            {"Adicionar membro", "Add a member"},
	"team.add.email":      {"E-mail da pessoa", "The person's e-mail"},
	"team.add.hint":       {"A pessoa precisa ter uma conta; ela passa a ser atendente.", "The person needs an account; they become an attendant."},
	"team.add.admin":      {"Tornar administrador da equipe", "Make the team's administrator"},
	"team.add.submit":     {"Adicionar", "Add"},
	"team.edit":           {"Editar equipe", "Edit team"},

	// Users.
	"users.title":        {"Usuários", "Users"},
	"users.subtitle":     {"Todas as contas: papéis e exclusão.", "Every account: roles and deletion."},
	"users.search":       {"Buscar usuários", "Search users"},
	"users.q":            {"Nome ou e-mail", "Name or e-mail"},
	"users.role.label":   {"Papel de %s", "Role of %s"},
	"users.role.save":    {"Salvar o papel de %s", "Save the role of %s"},
	"users.delete.label": {"Excluir a conta de %s", "Delete the account of %s"},
	"users.empty":        {"Nenhum usuário encontrado", "No users found"},

	// Account.
	"account.title":                {"Minha conta", "My account"},
	"account.profile":              {"Perfil", "Profile"},
	"account.newpassword":          {"Nova senha", "New password"},
	"account.currentpassword":      {"Senha atual", "Current password"},
	"account.currentpassword.hint": {"Necessária para mudar o e-mail ou a senha.", "Needed to change the e-mail or the password."},
	"account.teams":                {"Suas equipes", "Your teams"},
	"account.sessions":             {"Sessões ativas", "Active sessions"},
	"account.session.current":      {"Esta sessão", "This session"},
	"account.session.unknown":      {"Navegador desconhecido", "Unknown browser"},
	"account.session.since":        {"desde %s", "since %s"},
	"account.session.used":         {"último uso %s", "last used %s"},
	"account.session.revoke":       {"Encerrar", "Revoke"},
	"account.session.revoke.label": {"Encerrar a sessão aberta em %s", "Revoke the session opened %s"},

	// Notices after an action.
	"notice.welcome":        {"Conta criada. Bem-vindo ao Ajudaê!", "Account created. Welcome to Ajudaê!"},
	"notice.loggedout":      {"Você saiu. Até logo!", "You have logged out. See you soon!"},
	"notice.created":        {"Chamado aberto. A equipe foi avisada.", "Ticket opened. The team has been told."},
	"notice.updated":        {"Chamado atualizado.", "Ticket updated."},
	"notice.replied":        {"Resposta enviada.", "Reply sent."},
	"notice.noted":          {"Nota interna registrada.", "Internal note added."},
	"notice.redirected":     {"Chamado transferido.", "Ticket redirected."},
	"notice.moved":          {"Chamado transferido para outra equipe; ele não está mais na sua fila.", "The ticket went to another team and is no longer in your queue."},
	"notice.gone":           {"Esse chamado não está mais visível para você.", "That ticket is no longer visible to you."},
	"notice.teamcreated":    {"Equipe criada. Agora adicione os membros.", "Team created. Now add its members."},
	"notice.teamupdated":    {"Equipe atualizada.", "Team updated."},
	"notice.teamdeleted":    {"Equipe excluída.", "Team deleted."},
	"notice.memberadded":    {"Membro adicionado.", "Member added."},
	"notice.memberupdated":  {"Membro atualizado.", "Member updated."},
	"notice.memberremoved":  {"Membro removido.", "Member removed."},
	"notice.roleupdated":    {"Papel atualizado.", "Role updated."},
	"notice.userdeleted":    {"Conta excluída.", "Account deleted."},
	"notice.accountupdated": {"Conta atualizada.", "Account updated."},
	"notice.sessionrevoked": {"Sessão encerrada.", "Session revoked."},

	// Errors.
	"error.title":           {"Algo deu errado", "Something went wrong"},
	"error.notfound.title":  {"Página não encontrada", "Page not found"},
	"error.notfound":        {"Não encontramos o que você procurava.", "We could not find what you were looking for."},
	"error.ticket.notfound": {"Chamado não encontrado.", "Ticket not found."},
	"error.home":            {"Voltar ao início", "Back to the start"},
	"error.fields":          {"Confira os campos destacados.", "Please check the highlighted fields."},
	"error.internal":        {"Erro interno. Ele foi registrado; tente de novo.", "Internal error. It was logged; please try again."},
	"error.unavailable":     {"O serviço está indisponível no momento; tente de novo em instantes.", "The service is unavailable right now; try again shortly."},
}

// serverPT translates the fixed messages of the domain and the store.
var serverPT = map[string]string{
	"must not be empty":                                        "não pode ficar vazio",
	"must not be blank":                                        "não pode ficar em branco",
	"must not contain a NUL character":                         "não pode conter o caractere NUL",
	"must be valid UTF-8":                                      "precisa ser texto UTF-8 válido",
	"must be an e-mail address like name@example.com":          "precisa ser um e-mail como nome@exemplo.com",
	"is required":                                              "é obrigatório",
	"must be the id of a team":                                 "escolha uma equipe",
	"is not a team":                                            "essa equipe não existe",
	"must be one of Baixa, Média, Alta":                        "escolha Baixa, Média ou Alta",
	"must be one of Aberto, Em_andamento, Fechado":             "escolha Aberto, Em andamento ou Fechado",
	"must be me, none or a user id":                            "valor inválido",
	"must be a member of the ticket's team, or null":           "precisa ser um membro da equipe do chamado",
	"must be the id of a member of the ticket's team, or null": "precisa ser um membro da equipe do chamado",
	"is required to change the e-mail or the password":         "é necessária para mudar o e-mail ou a senha",
	"no account has this e-mail":                               "nenhuma conta tem esse e-mail",
	"must be USER, ATTENDANT or ADMIN":                         "papel inválido",
	"must be USER or ATTENDANT (the ADMIN role moves only through transfer-admin)": "escolha Solicitante ou Atendente",
	"is not a cursor of this list (take nextCursor from the previous page)":        "página inválida; volte à primeira",
	"must be one of createdAt, updatedAt, priority, optionally prefixed by -":      "ordenação inválida",

	"Wrong e-mail or password.":                                                                              "E-mail ou senha incorretos.",
	"Too many failed logins; try again later.":                                                               "Muitas tentativas sem sucesso; tente de novo mais tarde.",
	"The current password is wrong.":                                                                         "A senha atual está incorreta.",
	"The account changed meanwhile; try again.":                                                              "A conta mudou nesse meio-tempo; tente de novo.",
	"The general administrator cannot be deleted; transfer the role first.":                                  "O administrador geral não pode ser excluído; transfira o papel antes.",
	"The title and description can only be edited while the ticket is Aberto.":                               "Assunto e descrição só podem ser editados enquanto o chamado está Aberto.",
	"An attendant may only take the ticket or release it; the team's administrator assigns it to others.":    "Um atendente só pode assumir ou devolver o chamado; quem atribui a outros é o administrador da equipe.",
	"Only the administrator of the ticket's team or the general administrator may redirect it.":              "Só o administrador da equipe do chamado ou o administrador geral pode transferi-lo.",
	"Only the creator or the team's administrator may edit the title and description.":                       "Só quem abriu o chamado ou o administrador da equipe pode editar assunto e descrição.",
	"Only the general administrator manages teams.":                                                          "Só o administrador geral gerencia equipes.",
	"Only the general administrator lists users.":                                                            "Só o administrador geral vê a lista de usuários.",
	"Only the general administrator deletes users.":                                                          "Só o administrador geral exclui contas.",
	"Only the general administrator sets roles.":                                                             "Só o administrador geral define papéis.",
	"Only the general administrator names a team's administrator; the team's administrator may add members.": "Só o administrador geral escolhe o administrador de uma equipe; o administrador da equipe pode adicionar membros.",
	"Only the general administrator or the team's administrator (for other members) may remove a member.":    "Só o administrador geral ou o administrador da equipe (para outros membros) pode remover um membro.",
	"Only the team's administrator may change the priority.":                                                 "Só o administrador da equipe pode mudar a prioridade.",
	"Only the team's members and the general administrator see its members.":                                 "Só os membros da equipe e o administrador geral veem seus membros.",
	"Only the ticket's team and the general administrator may write internal notes.":                         "Só a equipe do chamado e o administrador geral escrevem notas internas.",
	"The creator may only close the ticket or reopen it.":                                                    "Quem abriu o chamado só pode fechá-lo ou reabri-lo.",
	"You cannot change your own role.":                                                                       "Você não pode mudar o seu próprio papel.",
	"You may only change your own account.":                                                                  "Você só pode mudar a sua própria conta.",
	"You may only see your own account.":                                                                     "Você só pode ver a sua própria conta.",
	"The service is temporarily unavailable; try again shortly.":                                             "O serviço está indisponível no momento; tente de novo em instantes.",
	"A conflicting record already exists.":                                                                   "Já existe um registro conflitante.",
	"Ticket not found.":                                                                                      "Chamado não encontrado.",
	"User not found.":                                                                                        "Usuário não encontrado.",
	"Team not found.":                                                                                        "Equipe não encontrada.",
	"Member not found.":                                                                                      "Membro não encontrado.",
	"Session not found.":                                                                                     "Sessão não encontrada.",
}

// serverPatterns translate the messages of the store that carry values.
var serverPatterns = []struct {
	re *regexp.Regexp
	pt string
}{
	{regexp.MustCompile(`^must be at least (\d+) characters long$`), "precisa ter pelo menos $1 caracteres"},
	{regexp.MustCompile(`^must be at most (\d+) characters long$`), "pode ter no máximo $1 caracteres"},
	{regexp.MustCompile(`^must be (\d+) to (\d+) characters long$`), "precisa ter de $1 a $2 caracteres"},
	{regexp.MustCompile(`^The e-mail (.*) is already in use\.$`), "O e-mail $1 já está em uso."},
	{regexp.MustCompile(`^A team named (.*) already exists\.$`), "Já existe uma equipe chamada $1."},
	{regexp.MustCompile(`^The team (.*) still holds (\d+) tickets that are not Fechado; redirect or close them first\.$`),
		"A equipe $1 ainda tem $2 chamados não fechados; transfira ou feche-os antes."},
	{regexp.MustCompile(`^The ticket is already in team (.*)\.$`), "O chamado já está na equipe $1."},
	{regexp.MustCompile(`^The ticket changed since version \d+; it is at version \d+\.$`),
		"O chamado mudou enquanto você o via; confira a versão atual abaixo e tente de novo."},
}
