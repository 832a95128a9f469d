package ledger

import "context"

// CheckImportAccess is the check made before an upload's body is read: the
// book must be in the actor's scope (else not found) and the actor's role
// must be one that imports files into it, the accountant's (else
// forbidden). Reading a 10 MB workbook only to refuse its sender is work a
// read-only user could make the server do at will.
func (s *Store) CheckImportAccess(ctx context.Context, a Actor, bookCode string) error {
	b, err := s.bookScope(ctx, bookCode)
	if err != nil {
		return err
	}
	if !a.inScope(b) {
		return notFound("账套", bookCode)
	}
	if !a.can(b, permWrite) {
		return Errorf(ECodeForbidden, "当前角色（%s）无权导入文件：导入由本村会计操作", a.roleLabel(b))
	}
	return nil
}
