import "nunjucks";
