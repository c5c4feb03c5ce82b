package main

import (
	"strings"
)

// The texts of the dataset: Portuguese sentences of a help-desk, chosen
// by the ticket's number so that a dataset is the same on every run.

var firstNames = []string{"Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Heitor", "Íris", "João",
	"Karina", "Lucas", "Marina", "Nuno", "Olívia", "Paulo", "Quitéria", "Rafael", "Sofia", "Tiago"}

var lastNames = []string{"Silva", "Souza", "Oliveira", "Pereira", "Lima", "Carvalho", "Gomes", "Ribeiro", "Almeida", "Araújo"}

var subjects = []string{"Não consigo acessar a aplicação", "Erro ao emitir nota fiscal", "Dúvida sobre a fatura do mês",
	"Campanha de e-mail não foi enviada", "Relatório de vendas está vazio", "Senha expirada no portal",
	"Pedido de reembolso pendente", "Integração com o ERP falhou", "Lentidão na tela de pedidos",
	"Cadastro de produto duplicado", "Boleto com valor incorreto", "Solicitação de novo acesso"}

var sentences = []string{
	"Desde ontem a tela de login mostra uma mensagem de erro e não consigo entrar no sistema.",
	"Já tentei limpar o cache do navegador e reiniciar o computador, mas o problema continua.",
	"A equipe inteira do setor está parada esperando uma solução, pois dependemos dessa ferramenta.",
	"O relatório mensal precisa ser entregue à diretoria até sexta-feira e está sem os dados de março.",
	"Percebi que a cobrança veio em duplicidade no cartão corporativo da empresa.",
	"A integração com o sistema de estoque parou de sincronizar as informações depois da atualização.",
	"Quando clico em salvar, a página fica carregando por vários minutos e depois mostra um erro.",
	"Preciso de ajuda para configurar as permissões dos novos colaboradores que entraram esta semana.",
	"O cliente reclamou que não recebeu a confirmação do pedido por e-mail nem por mensagem.",
	"A planilha exportada vem com acentuação quebrada e as colunas fora de ordem.",
	"Gostaria de saber se é possível alterar a data de vencimento da próxima fatura.",
	"A aplicação no celular fecha sozinha logo depois de abrir a tela de notificações.",
	"Verifiquei a conexão com a internet e está tudo normal nos outros serviços.",
	"Anexei o print da tela com a mensagem de erro para facilitar a análise.",
	"Esse problema já aconteceu no mês passado e foi resolvido, mas voltou a ocorrer.",
	"Por favor, priorizem este chamado porque afeta o fechamento do caixa de hoje.",
}

var replies = []string{
	"Olá! Obrigado pelo contato. Já encaminhei o caso para a equipe técnica e retorno assim que tiver novidades.",
	"Conseguimos reproduzir o problema aqui. Pode confirmar se o erro aparece também em outro navegador?",
	"A correção foi publicada agora há pouco. Pode testar novamente e nos dizer se está tudo certo?",
	"Verificamos a sua conta e ajustamos a configuração. O acesso deve voltar a funcionar em alguns minutos.",
}

var answers = []string{
	"Obrigado pelo retorno rápido! Testei de novo e agora funcionou normalmente.",
	"Ainda não funcionou aqui, o mesmo erro aparece quando tento salvar o formulário.",
	"Confirmo que no outro navegador acontece a mesma coisa. Fico no aguardo.",
	"Perfeito, o problema foi resolvido. Podem encerrar o chamado, por favor.",
}

// syllables make the rare search words: pronounceable, never Portuguese
// words, so a rare word matches only the tickets it was put in.
var syllables = []string{"ba", "be", "bi", "bo", "bu", "da", "de", "di", "do", "du", "fa", "fe", "fi", "fo", "fu",
	"ga", "ge", "gu", "ja", "je", "jo", "ka", "ke", "ki", "ko", "ku", "la", "le", "li", "lo", "lu", "ma", "me", "mi",
	"mo", "mu", "na", "ne", "ni", "no", "nu", "pa", "pe", "pi", "po", "pu", "ta", "te", "ti", "to", "tu", "va", "ve",
	"vi", "vo", "vu", "xa", "xe", "xi", "xo", "za", "ze", "zi", "zo", "zu"}

// SearchWord returns the k-th rare word ("protocolo" code) of the dataset:
// ticket i mentions SearchWord(i / ticketsPerSearchWord).
func SearchWord(k int) string {
	var b strings.Builder
	b.WriteString("zq")
	for range 4 {
		b.WriteString(syllables[k%len(syllables)])
		k /= len(syllables)
	}
	return b.String()
}

// CommonWord appears in every ticket whose number is a multiple of 20.
const CommonWord = "impressora"

func ticketTitle(i int) string {
	return subjects[i%len(subjects)]
}

// ticketBody returns a body of about 300 characters.
func ticketBody(i int) string {
	var b strings.Builder
	for k := 0; b.Len() < 260; k++ {
		b.WriteString(sentences[(i*7+k*3)%len(sentences)])
		b.WriteByte(' ')
	}
	b.WriteString("Protocolo ")
	b.WriteString(SearchWord(i / ticketsPerSearchWord))
	b.WriteString(".")
	if i%20 == 0 {
		b.WriteString(" A " + CommonWord + " do setor também não imprime.")
	}
	return b.String()
}

func replyText(i int, requester bool) string {
	if requester {
		return answers[i%len(answers)]
	}
	return replies[i%len(replies)]
}
