package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// uiState is what the screen keeps between two starts of planner-tui: the
// place it showed and the log wrap setting. It is the screen's own memory,
// not the run's: losing it costs a few keys, never a record, so a write that
// fails is ignored.
type uiState struct {
	View viewKey `json:"view"`
	Wrap bool    `json:"wrap"`
	// Editor is the editor picked for an editor step, for its run.
	Editor pickedEditor `json:"editor,omitzero"`
}

// uiStateName is the file, in the state dir, that holds a uiState.
const uiStateName = "ui.json"

// uiStateFile writes the screen's state from Cmds: the newest save wins,
// even when two Cmds run out of order.
type uiStateFile struct {
	path string
	mu   sync.Mutex
	done uint64 // the newest sequence number written
}

func loadUIState(path string) (uiState, error) {
	var st uiState
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read the screen's state: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return uiState{}, fmt.Errorf("read the screen's state %s: %w", path, err)
	}
	return st, nil
}

// save writes st (sequence number seq) whole: a temporary file renamed over
// the old one, so a crash leaves the old state or the new, never half.
func (f *uiStateFile) save(seq uint64, st uiState) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if seq <= f.done {
		return nil
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".ui-*.json")
	if err != nil {
		return fmt.Errorf("save the screen's state: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save the screen's state: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save the screen's state: %w", err)
	}
	f.done = seq
	return nil
}

// withUIState makes the screen remember its place and wrap setting in path
// and start where the last one left off. It reads the file now (before the
// program runs, not in Update).
func (m *Model) withUIState(path string) *Model {
	st, err := loadUIState(path)
	if err != nil {
		// a damaged file only loses the last place: start at home
		st = uiState{}
	}
	m.stateFile = &uiStateFile{path: path}
	m.saved = st
	m.c.wrap = st.Wrap
	m.pickedEditor = st.Editor
	m.startAt = &st.View
	return m
}

// stateCmd saves the screen's state when it changed since the last save.
func (m *Model) stateCmd() tea.Cmd {
	if m.stateFile == nil || m.startAt != nil {
		return nil // not restored yet: do not overwrite the saved place
	}
	st := uiState{View: m.here(), Wrap: m.c.wrap, Editor: m.pickedEditor}
	if st == m.saved {
		return nil
	}
	m.saved = st
	m.saveSeq++
	f, seq := m.stateFile, m.saveSeq
	return func() tea.Msg {
		f.save(seq, st) // best effort: see uiState
		return nil
	}
}
