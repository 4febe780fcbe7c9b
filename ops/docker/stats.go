package docker

import "github.com/docker/docker/api/types/container"

// cpuPercent computes CPU% the way `docker stats` does on Linux: the
// container's CPU time delta over the host's, times the online CPUs.
func cpuPercent(s *container.StatsResponse) float64 {
	cpuDelta := float64(s.CPUStats.CPUUsage.TotalUsage) - float64(s.PreCPUStats.CPUUsage.TotalUsage)
	sysDelta := float64(s.CPUStats.SystemUsage) - float64(s.PreCPUStats.SystemUsage)
	online := float64(s.CPUStats.OnlineCPUs)
	if online == 0 {
		online = float64(len(s.CPUStats.CPUUsage.PercpuUsage))
	}
	if sysDelta <= 0 || cpuDelta <= 0 {
		return 0
	}
	return cpuDelta / sysDelta * online * 100
}

// memUsage is usage minus the page cache that can be dropped, as the docker
// CLI shows it: total_inactive_file on cgroup v1, inactive_file on v2.
func memUsage(m container.MemoryStats) uint64 {
	if v, ok := m.Stats["total_inactive_file"]; ok && v < m.Usage {
		return m.Usage - v
	}
	if v, ok := m.Stats["inactive_file"]; ok && v < m.Usage {
		return m.Usage - v
	}
	return m.Usage
}
