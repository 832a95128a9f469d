package httpx

import (
	"strconv"

	"github.com/labstack/echo/v4"
)

// RunID parses the {id} path parameter of a payout run.
func RunID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, Invalid("id", "收益分配 ID 应为正整数")
	}
	return id, nil
}

// VoucherID parses the {id} path parameter.
func VoucherID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, Invalid("id", "凭证 ID 应为正整数")
	}
	return id, nil
}
