package host

import "fmt"

// Thresholds are the percentages at which usage becomes a warning.
type Thresholds struct {
	DiskWarn, DiskCritical float64
	MemWarn                float64
}

// DefaultThresholds: disk at 85% warns, at 95% is critical; memory at 90%
// warns.
func DefaultThresholds() Thresholds {
	return Thresholds{DiskWarn: 85, DiskCritical: 95, MemWarn: 90}
}

// Warning is one resource problem. What names the resource ("disk /var",
// "memory"); Critical means a deployment should not proceed.
type Warning struct {
	What     string
	Message  string
	Critical bool
}

// Warnings compares usage with the thresholds (zero thresholds take the
// defaults). Paths that could not be read are warnings too: a backup
// directory that does not exist is worth knowing before the backup step.
func Warnings(d []Usage, m Memory, th Thresholds) []Warning {
	def := DefaultThresholds()
	if th.DiskWarn == 0 {
		th.DiskWarn = def.DiskWarn
	}
	if th.DiskCritical == 0 {
		th.DiskCritical = def.DiskCritical
	}
	if th.MemWarn == 0 {
		th.MemWarn = def.MemWarn
	}
	var out []Warning
	for _, u := range d {
		what := "disk " + u.Path
		switch {
		case u.Err != "":
			out = append(out, Warning{What: what, Message: u.Err})
		case u.UsedPct >= th.DiskCritical:
			out = append(out, Warning{What: what, Critical: true, Message: fmt.Sprintf(
				"%s is %.0f%% full (%s free of %s): critical at %.0f%%", u.Path, u.UsedPct, Bytes(u.Avail), Bytes(u.Total), th.DiskCritical)})
		case u.UsedPct >= th.DiskWarn:
			out = append(out, Warning{What: what, Message: fmt.Sprintf(
				"%s is %.0f%% full (%s free of %s): warning at %.0f%%", u.Path, u.UsedPct, Bytes(u.Avail), Bytes(u.Total), th.DiskWarn)})
		}
	}
	if m.Total > 0 && m.UsedPct >= th.MemWarn {
		out = append(out, Warning{What: "memory", Message: fmt.Sprintf(
			"memory is %.0f%% used (%s available of %s): warning at %.0f%%", m.UsedPct, Bytes(m.Available), Bytes(m.Total), th.MemWarn)})
	}
	return out
}

// Bytes formats a size in binary units as df -h does ("1.5G", "512M").
func Bytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := uint64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%c", float64(n)/float64(div), "KMGTPE"[exp])
}
