/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error numbers for firmware code (Linux values, so pure code shared with
 * host unit tests means the same thing in both builds). Functions return
 * them negated; there is no errno variable.
 */
#ifndef FW_ERRNO_H
#define FW_ERRNO_H

#define ENOENT		2
#define EIO		5
#define E2BIG		7
#define EAGAIN		11
#define ENOMEM		12
#define EBUSY		16
#define EEXIST		17
#define ENODEV		19
#define EINVAL		22
#define ENOSPC		28
#define ERANGE		34
#define ENODATA		61
#define EPROTO		71
#define EBADMSG		74
#define EOPNOTSUPP	95
#define ETIMEDOUT	110

#endif
