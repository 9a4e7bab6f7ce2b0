package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// tickInterval re-draws an idle view so ages and due times keep moving between state events.
const tickInterval = time.Second

// throughputWindow is how far back the tokens-per-second figure looks.
const throughputWindow = 30 * time.Second

type tickMsg time.Time

// model holds what the view shows; Bubble Tea calls View after each Update and draws at
// most its frame rate, so a burst of state events costs one redraw.
type model struct {
	frame Frame
	rate  *Throughput
	clock func() time.Time
}

func newModel(f Frame, clock func() time.Time) *model {
	return &model{frame: f, rate: NewThroughput(throughputWindow), clock: clock}
}

func (m *model) tick() tea.Cmd {
	return tea.Tick(tickInterval, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (m *model) Init() tea.Cmd { return m.tick() }

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "q", "ctrl+c", "esc":
			return m, tea.Quit
		}
	case tea.WindowSizeMsg:
		m.frame.Width, m.frame.Height = msg.Width, msg.Height
	case stateMsg:
		st := msg.state
		m.frame.State = &st
		m.rate.Add(st.GeneratedAt, st.Totals.TotalTokens)
		m.frame.Now = m.clock()
		m.frame.Throughput = m.rate.Rate(m.frame.Now)
	case linkMsg:
		m.frame.Link = msg.text
	case tickMsg:
		m.frame.Now = m.clock()
		m.frame.Throughput = m.rate.Rate(m.frame.Now)
		return m, m.tick()
	}
	return m, nil
}

func (m *model) View() tea.View {
	v := tea.NewView(Render(m.frame))
	// The alternate screen gives the view a whole screen to redraw in place and hands the
	// operator's scrollback back untouched on exit.
	v.AltScreen = true
	return v
}
