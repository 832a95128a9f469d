package ledger

// checkLabels name each reconciliation check for people: the one map the
// pages and workbooks show instead of the check's code.
var checkLabels = map[string]string{
	CheckEntitlement:    "应得与已计提不符",
	CheckAccrual:        "计提凭证与分配明细不符",
	CheckOverpaid:       "付款超过应付",
	CheckPaidTwice:      "重复付款",
	CheckUntraced:       "付款无法追溯",
	CheckOutsideRun:     "付款对象不在分配名单",
	CheckPaymentVoucher: "付款凭证与付款记录不符",
	CheckReference:      "银行流水号缺失或重复",
	CheckControl:        "控制科目与明细账不符",
	CheckSegregation:    "制单人自审（未豁免）",
	CheckManualPosting:  "分配之外的农户明细账记账",
	CheckSelfApproved:   "制单人自审（已豁免）",
	CheckReopened:       "期间反结账",
}

// CheckLabel is the Chinese name of a reconciliation check; an unknown code
// (a newer check) is shown as it is.
func CheckLabel(check string) string {
	if l, ok := checkLabels[check]; ok {
		return l
	}
	return check
}
