import "bcryptjs";
