package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	tea "charm.land/bubbletea/v2"
)

// Run shows the screen until the user quits. A hang-up (SSH dropped) only
// restores the terminal and exits: commands run detached and go on.
func Run(ctx context.Context, e Engine, o Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go e.Watch(ctx)
	m := New(e, o).withContext(ctx)
	if sd, ok := e.(interface{ StateDir() string }); ok && sd.StateDir() != "" && !o.Watch {
		m.withUIState(filepath.Join(sd.StateDir(), uiStateName))
	}
	p := tea.NewProgram(m, tea.WithContext(ctx))
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	hung := make(chan struct{})
	go func() {
		select {
		case <-hup:
			close(hung)
			p.Kill()
		case <-ctx.Done():
		}
	}()
	_, err := p.Run()
	select {
	case <-hung:
		return nil
	default:
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	return nil
}
