package main

import "fmt"

// greetUser prints a friendly greeting. It is called once per sesion.
func greetUser(userName string) {
	fmt.Printf("Hello, %s! Welcome back.\n", userName)
}

func main() {
	defaultUsr := "world"
	greetUser(defaultUsr)
	fmt.Println("Goodbye, and thank you for visting.")
}
