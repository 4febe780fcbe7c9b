package host

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Memory is the host's memory; Available is the kernel's estimate of what
// can be allocated without swapping (MemAvailable).
type Memory struct {
	Total, Available uint64 // bytes
	UsedPct          float64
}

// Mem reads /proc/meminfo.
func Mem() (Memory, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return Memory{}, fmt.Errorf("memory: %w", err)
	}
	defer f.Close()
	m, err := parseMeminfo(f)
	if err != nil {
		return Memory{}, fmt.Errorf("memory: /proc/meminfo: %w", err)
	}
	return m, nil
}

func parseMeminfo(r io.Reader) (Memory, error) {
	var m Memory
	var haveTotal, haveAvail bool
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("%s: %q is not a number", key, fields[0])
		}
		if len(fields) > 1 && fields[1] == "kB" {
			n *= 1024
		}
		switch key {
		case "MemTotal":
			m.Total, haveTotal = n, true
		case "MemAvailable":
			m.Available, haveAvail = n, true
		}
	}
	if err := sc.Err(); err != nil {
		return Memory{}, err
	}
	if !haveTotal || !haveAvail {
		return Memory{}, fmt.Errorf("MemTotal or MemAvailable missing")
	}
	if m.Total > 0 && m.Available <= m.Total {
		m.UsedPct = float64(m.Total-m.Available) / float64(m.Total) * 100
	}
	return m, nil
}
