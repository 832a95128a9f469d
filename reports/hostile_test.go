package reports_test

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"coopledger/ledger"
	"coopledger/reports"
)

// maxHostileAlloc bounds the bytes the reader allocates (garbage included)
// while refusing a hostile workbook; the old grid reader took gigabytes.
const maxHostileAlloc = 192 << 20

// TestHostileWorkbooksRefused: each hostile upload of at most 10 MB is
// refused with the limit named, allocating a bounded number of bytes.
func TestHostileWorkbooksRefused(t *testing.T) {
	for _, h := range reports.HostileWorkbooks() {
		t.Run(h.Name, func(t *testing.T) {
			data := h.Build()
			if len(data) > reports.MaxImportBytes {
				t.Fatalf("%s is %d bytes, over the upload limit: not a test of the reader", h.Name, len(data))
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := reports.ReadImport(ledger.ImportHouseholds, bytes.NewReader(data))
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), h.Refusal) {
				t.Fatalf("%s (%d KB): err = %v, want a refusal naming %q", h.Name, len(data)>>10, err, h.Refusal)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %d KB file, %d MB allocated: %v", h.Name, len(data)>>10, alloc>>20, err)
			if alloc > maxHostileAlloc {
				t.Errorf("%s: the reader allocated %d MB, want at most %d MB", h.Name, alloc>>20, maxHostileAlloc>>20)
			}
		})
	}
}
