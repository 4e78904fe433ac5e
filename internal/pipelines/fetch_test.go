package pipelines

import "testing"

func TestProxyURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ dockerHost, want string }{
		{"tcp://host.docker.internal:2375", "http://host.docker.internal:29418/"},
		{"tcp://10.0.0.5:2375", "http://10.0.0.5:29418/"},
		{"", ""},
		{"unix:///var/run/docker.sock", ""},
		{"tcp://[fd00::5]:2375", "http://[fd00::5]:29418/"},
	} {
		if got := proxyURL(tt.dockerHost); got != tt.want {
			t.Errorf("proxyURL(%q) = %q, want %q", tt.dockerHost, got, tt.want)
		}
	}
}
